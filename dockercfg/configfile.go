package dockercfg

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// configFile is one parsed Docker client configuration: config.json, the
// legacy flat .dockercfg, or $DOCKER_AUTH_CONFIG.
type configFile struct {
	// name says where it came from, for messages: a path or "$DOCKER_AUTH_CONFIG".
	name        string
	auths       map[string]authEntry // keyed by NormalizeRegistry
	credsStore  string
	credHelpers map[string]string // keyed by NormalizeRegistry
}

// authEntry is one inline entry of "auths" (or of a legacy file).
type authEntry struct {
	Auth          string `json:"auth"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	IdentityToken string `json:"identitytoken"`
	Email         string `json:"email"`
}

// rawConfig is the shape of config.json; other keys (proxies, plugins…)
// are ignored.
type rawConfig struct {
	Auths       map[string]authEntry `json:"auths"`
	CredsStore  string               `json:"credsStore"`
	CredHelpers map[string]string    `json:"credHelpers"`
}

// ConfigError reports a Docker config file that cannot be used. It names
// the file and, where it applies, the registry key; never a credential.
type ConfigError struct {
	File     string
	Registry string
	Reason   string
	Err      error
	// cause: Err is safe and useful to show (a file system error), unlike
	// a decoding error, which may quote the file's content.
	cause bool
}

func (e *ConfigError) Error() string {
	msg := "docker config " + e.File
	if e.Registry != "" {
		msg += ": registry " + e.Registry
	}
	msg += ": " + e.Reason
	if e.Err != nil && e.cause {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *ConfigError) Unwrap() error { return e.Err }

// parseConfig decodes config.json (legacy=false) or a legacy .dockercfg.
// $DOCKER_AUTH_CONFIG holds config.json's shape.
func parseConfig(name string, data []byte, legacy bool) (*configFile, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		// docker treats an empty file as an empty configuration.
		return &configFile{name: name, auths: map[string]authEntry{}, credHelpers: map[string]string{}}, nil
	}
	var raw rawConfig
	if legacy {
		if err := json.Unmarshal(data, &raw.Auths); err != nil {
			return nil, &ConfigError{File: name, Reason: "malformed legacy .dockercfg JSON: " + jsonReason(data, err), Err: err}
		}
	} else if err := json.Unmarshal(data, &raw); err != nil {
		return nil, &ConfigError{File: name, Reason: "malformed JSON: " + jsonReason(data, err), Err: err}
	}
	cf := &configFile{
		name:        name,
		auths:       make(map[string]authEntry, len(raw.Auths)),
		credsStore:  strings.TrimSpace(raw.CredsStore),
		credHelpers: make(map[string]string, len(raw.CredHelpers)),
	}
	// Two spellings of one registry ("docker.io" and Docker Hub's URL):
	// like docker, prefer the canonical key, else the first non-empty one
	// in key order so that the choice does not depend on map order.
	canonical := map[string]bool{}
	for _, key := range slices.Sorted(maps.Keys(raw.Auths)) {
		e, reg := raw.Auths[key], NormalizeRegistry(key)
		if reg == "" {
			return nil, &ConfigError{File: name, Registry: key, Reason: "empty registry key"}
		}
		isCanonical := key == ServerAddress(reg)
		if prev, seen := cf.auths[reg]; seen && (canonical[reg] || (!isCanonical && !prev.empty())) {
			continue
		}
		cf.auths[reg], canonical[reg] = e, isCanonical
	}
	for key, helper := range raw.CredHelpers {
		cf.credHelpers[NormalizeRegistry(key)] = strings.TrimSpace(helper)
	}
	return cf, nil
}

func (e authEntry) empty() bool {
	return e.Auth == "" && e.Username == "" && e.Password == "" && e.IdentityToken == ""
}

// credentials decodes an inline entry. ok is false for an empty entry
// (Docker Desktop writes "{}" when a helper holds the credentials).
func (e authEntry) credentials(file, registry string) (Credentials, bool, error) {
	if e.empty() {
		return Credentials{}, false, nil
	}
	c := Credentials{ServerAddress: ServerAddress(registry), Email: e.Email, Source: file}
	switch {
	case e.Auth != "":
		decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(e.Auth))
		if err != nil {
			return Credentials{}, false, &ConfigError{File: file, Registry: registry, Reason: `"auth" is not valid base64`, Err: err}
		}
		user, pass, ok := strings.Cut(string(decoded), ":")
		if !ok || user == "" {
			return Credentials{}, false, &ConfigError{File: file, Registry: registry, Reason: `"auth" does not decode to user:password`}
		}
		c.Username, c.Password = user, secretOf(pass)
	case e.Username != "":
		c.Username, c.Password = e.Username, secretOf(e.Password)
	}
	if e.IdentityToken != "" {
		c.IdentityToken = secretOf(e.IdentityToken)
	}
	if c.Username == "" && c.IdentityToken.IsZero() {
		return Credentials{}, false, &ConfigError{File: file, Registry: registry, Reason: "entry has neither auth, username nor identitytoken"}
	}
	return c, true, nil
}

// jsonReason locates a JSON error by line, without quoting values.
func jsonReason(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("%s (line %d)", syn.Error(), lineOf(data, syn.Offset))
	case errors.As(err, &typ):
		return fmt.Sprintf("wrong type for %q (line %d)", typ.Field, lineOf(data, typ.Offset))
	default:
		return "unexpected end of input"
	}
}

func lineOf(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}
