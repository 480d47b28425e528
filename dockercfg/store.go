package dockercfg

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/beanswap/beanswap/internal/safefile"
)

var (
	// ErrNoConfig is wrapped when no Docker client configuration exists.
	ErrNoConfig = errors.New("no docker client configuration found")
	// ErrNotFound is wrapped when no credentials exist for a registry.
	ErrNotFound = errors.New("no credentials for registry")
	// ErrNoAuthNeeded is wrapped when an image's registry needs no auth
	// file on Beanstalk (Amazon ECR, ECR Public).
	ErrNoAuthNeeded = errors.New("no registry auth file needed")
)

// Store answers which credentials the docker CLI would use for a
// registry, from the user's Docker client configuration.
type Store struct {
	// files in lookup order: $DOCKER_AUTH_CONFIG first, then the file.
	files  []*configFile
	helper Helper
	tried  []string
}

// Option configures Load.
type Option func(*options)

type options struct {
	lookupEnv  func(string) (string, bool)
	homeDir    func() (string, error)
	configFile string
	helper     Helper
}

// WithLookupEnv sets how DOCKER_CONFIG and DOCKER_AUTH_CONFIG are read;
// default os.LookupEnv.
func WithLookupEnv(f func(string) (string, bool)) Option {
	return func(o *options) { o.lookupEnv = f }
}

// WithHomeDir sets the home directory (~/.docker, ~/.dockercfg); default
// os.UserHomeDir.
func WithHomeDir(dir string) Option {
	return func(o *options) { o.homeDir = func() (string, error) { return dir, nil } }
}

// WithConfigFile reads this config.json instead of searching for one.
func WithConfigFile(path string) Option { return func(o *options) { o.configFile = path } }

// WithHelper sets how credential helpers run; default ExecHelper{}.
func WithHelper(h Helper) Option { return func(o *options) { o.helper = h } }

// Load finds the Docker client configuration as the docker CLI does:
// $DOCKER_AUTH_CONFIG (consulted first, "auths" only), then
// $DOCKER_CONFIG/config.json or ~/.docker/config.json, or else the legacy
// ~/.dockercfg.
func Load(opts ...Option) (*Store, error) {
	o := options{lookupEnv: os.LookupEnv, homeDir: os.UserHomeDir, helper: ExecHelper{}}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Store{helper: o.helper}
	if v, ok := o.lookupEnv("DOCKER_AUTH_CONFIG"); ok && strings.TrimSpace(v) != "" {
		cf, err := parseConfig("$DOCKER_AUTH_CONFIG", []byte(v), false)
		if err != nil {
			return nil, err
		}
		// Only its auths count: helpers there are not honoured by docker.
		cf.credsStore, cf.credHelpers = "", nil
		s.files = append(s.files, cf)
		s.tried = append(s.tried, cf.name)
	}
	cf, err := o.findFile(&s.tried)
	if err != nil {
		return nil, err
	}
	if cf != nil {
		s.files = append(s.files, cf)
	}
	if len(s.files) == 0 {
		return nil, fmt.Errorf("%w: tried %s (run docker login)", ErrNoConfig, strings.Join(s.tried, ", "))
	}
	return s, nil
}

func (o *options) findFile(tried *[]string) (*configFile, error) {
	if o.configFile != "" {
		*tried = append(*tried, o.configFile)
		return readConfig(o.configFile, false)
	}
	home, homeErr := o.homeDir()
	dir := ""
	if v, ok := o.lookupEnv("DOCKER_CONFIG"); ok && v != "" {
		dir = v
	} else if homeErr == nil {
		dir = filepath.Join(home, ".docker")
	}
	if dir != "" {
		path := filepath.Join(dir, "config.json")
		*tried = append(*tried, path)
		cf, err := readConfig(path, false)
		if !errors.Is(err, fs.ErrNotExist) {
			return cf, err
		}
	}
	if homeErr != nil {
		return nil, nil
	}
	legacy := filepath.Join(home, ".dockercfg")
	*tried = append(*tried, legacy)
	cf, err := readConfig(legacy, true)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return cf, err
}

// maxConfigSize bounds a Docker config file; real ones are kilobytes.
const maxConfigSize = 1 << 20

func readConfig(path string, legacy bool) (*configFile, error) {
	data, err := safefile.Read(path, maxConfigSize)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("docker config %s: %w", path, err)
		}
		return nil, &ConfigError{File: path, Reason: "cannot be read", Err: err, cause: true}
	}
	return parseConfig(path, data, legacy)
}

// Parse builds a Store from one config.json held in data (legacy selects
// the flat .dockercfg shape); name names it in messages.
func Parse(name string, data []byte, legacy bool, opts ...Option) (*Store, error) {
	o := options{helper: ExecHelper{}}
	for _, opt := range opts {
		opt(&o)
	}
	cf, err := parseConfig(name, data, legacy)
	if err != nil {
		return nil, err
	}
	return &Store{files: []*configFile{cf}, helper: o.helper, tried: []string{name}}, nil
}

// Sources lists the configurations consulted, in order.
func (s *Store) Sources() []string { return append([]string(nil), s.tried...) }

// Credentials returns the credentials docker would use for registry (any
// spelling: "docker.io", Docker Hub's URL, "host:5000"). Order, as in
// docker: $DOCKER_AUTH_CONFIG's auths, then the file's credHelpers[host],
// then its credsStore, then its auths. A configured helper is
// authoritative: its "not found" is not overridden by an inline entry.
func (s *Store) Credentials(ctx context.Context, registry string) (Credentials, error) {
	reg := NormalizeRegistry(registry)
	server := ServerAddress(reg)
	for _, cf := range s.files {
		helper := cf.credHelpers[reg]
		if helper == "" {
			helper = cf.credsStore
		}
		if helper != "" {
			c, err := s.helper.Get(ctx, helper, server)
			if err != nil {
				return Credentials{}, fmt.Errorf("registry %s (helper %q configured in %s): %w", reg, helper, cf.name, err)
			}
			return c, nil
		}
		if e, ok := cf.auths[reg]; ok {
			c, found, err := e.credentials(cf.name, reg)
			if err != nil {
				return Credentials{}, err
			}
			if found {
				c.ServerAddress = server
				return c, nil
			}
		}
	}
	return Credentials{}, fmt.Errorf("%w %s in %s (run %s)", ErrNotFound, reg, strings.Join(s.tried, ", "), loginCommand(reg))
}

// ForImage parses image and returns its registry's credentials. For
// images Beanstalk pulls without an auth file (Amazon ECR) it returns the
// reference and an error wrapping ErrNoAuthNeeded that says why.
func (s *Store) ForImage(ctx context.Context, image string) (Reference, Credentials, error) {
	ref, err := ParseReference(image)
	if err != nil {
		return Reference{}, Credentials{}, err
	}
	if reason, ok := ref.NeedsNoAuth(); ok {
		return ref, Credentials{}, fmt.Errorf("%s: %w", reason, ErrNoAuthNeeded)
	}
	c, err := s.Credentials(ctx, ref.Registry)
	return ref, c, err
}

func loginCommand(reg string) string {
	if reg == DockerHub {
		return "docker login"
	}
	return "docker login " + reg
}
