package dockercfg

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// Auth file formats Elastic Beanstalk reads at Authentication.Key.
const (
	// FormatAuths is the current Docker shape, {"auths": {...}}, read by
	// the Amazon Linux 2 and 2023 Docker platforms.
	FormatAuths = "auths"
	// FormatLegacy is the flat .dockercfg shape the retired Amazon Linux
	// AMI platforms required (and pymacaron documents).
	FormatLegacy = "legacy"
)

// ErrNoCredentials is returned when an auth file would hold no entry.
var ErrNoCredentials = errors.New("no credentials to write")

type authFileEntry struct {
	Auth          string `json:"auth,omitempty"`
	IdentityToken string `json:"identitytoken,omitempty"`
	Email         string `json:"email,omitempty"`
}

// AuthFile renders the file Beanstalk instances read to pull from private
// registries, with every credential inline (instances have no helpers).
// The bytes are the same for the same input: keys are sorted.
func AuthFile(format string, creds ...Credentials) ([]byte, error) {
	if len(creds) == 0 {
		return nil, ErrNoCredentials
	}
	entries := make(map[string]authFileEntry, len(creds))
	for _, c := range creds {
		if c.ServerAddress == "" {
			return nil, errors.New("render auth file: credentials without a server address")
		}
		var e authFileEntry
		switch {
		case !c.IdentityToken.IsZero():
			if format == FormatLegacy {
				return nil, fmt.Errorf("render auth file for %s: the legacy .dockercfg format cannot hold an identity token; use the auths format", c.ServerAddress)
			}
			e.IdentityToken = c.IdentityToken.Reveal()
		case c.Username != "":
			e.Auth = base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + c.Password.Reveal()))
		default:
			return nil, fmt.Errorf("render auth file for %s: credentials are empty", c.ServerAddress)
		}
		if format == FormatLegacy {
			e.Email = c.Email
		}
		entries[c.ServerAddress] = e
	}
	var doc any
	switch format {
	case FormatAuths, "":
		doc = map[string]any{"auths": entries}
	case FormatLegacy:
		doc = entries
	default:
		return nil, fmt.Errorf("render auth file: unknown format %q (want %q or %q)", format, FormatAuths, FormatLegacy)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render auth file: %w", err)
	}
	return append(out, '\n'), nil
}
