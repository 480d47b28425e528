package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/beanswap/beanswap/internal/safefile"
	"github.com/beanswap/beanswap/secret"

	"go.yaml.in/yaml/v3"
)

// Option changes how a configuration is loaded.
type Option func(*loader)

// WithLookupEnv sets how environment variables (overrides and env_secrets)
// are read; default os.LookupEnv.
func WithLookupEnv(lookup func(string) (string, bool)) Option {
	return func(l *loader) { l.lookupEnv = lookup }
}

// SkipSecrets loads the configuration without reading env_secrets values,
// for commands that deploy nothing (status, prune).
func SkipSecrets() Option { return func(l *loader) { l.skipSecrets = true } }

// Strict makes every key beanswap does not know an error, instead of a
// note (pym-config.yaml also holds application settings, so the default
// only rejects keys that look like a misspelt deploy key).
func Strict() Option { return func(l *loader) { l.strict = true } }

type loader struct {
	lookupEnv   func(string) (string, bool)
	skipSecrets bool
	strict      bool
}

// source is where a key's value came from.
type source struct {
	file string
	line int
}

// MaxFileSize bounds a configuration file: pym-config.yaml files are a
// few kilobytes.
const MaxFileSize = 1 << 20

// Load reads and validates the pym-config.yaml at path, which must be a
// regular file of at most MaxFileSize bytes. A missing file wraps
// fs.ErrNotExist; invalid settings return a *ValidationError listing every
// problem.
func Load(path string, opts ...Option) (*Config, error) {
	data, err := safefile.Read(path, MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	return Parse(path, data, opts...)
}

// Parse decodes and validates a pym-config.yaml held in data; file names it
// in messages.
func Parse(file string, data []byte, opts ...Option) (*Config, error) {
	l := loader{lookupEnv: os.LookupEnv}
	for _, o := range opts {
		o(&l)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse %s: %w", file, ErrEmpty)
	} else if err != nil {
		return nil, fmt.Errorf("parse %s: %w", file, err)
	}
	// A second document would be silently ignored: refuse it.
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if len(extra.Content) > 0 {
			line = extra.Content[0].Line
		}
		if err != nil {
			return nil, fmt.Errorf("parse %s: after the first document: %w", file, err)
		}
		return nil, fmt.Errorf("parse %s: line %d: a second YAML document (after ---) is not read by beanswap: keep one", file, line)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, fmt.Errorf("parse %s: %w", file, ErrEmpty)
	}
	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("parse %s: line %d: expected a mapping of keys at the top level", file, root.Line)
	}
	keys, err := entries(root)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", file, err)
	}

	c := Default()
	c.File = file
	var problems []Problem
	sources := map[string]source{}
	seen := map[string]int{}
	failed := map[string]bool{}

	for _, e := range keys {
		k, v := e.key, e.value
		name := k.Value
		at := source{file, k.Line}
		if first, dup := seen[name]; dup && !e.merged {
			problems = append(problems, Problem{file, k.Line, name, fmt.Sprintf("defined twice (first at line %d)", first)})
			continue
		}
		seen[name] = k.Line
		if spec, ok := keyByName(name); ok {
			sources[name] = at
			if isNull(v) {
				continue // "key:" with no value keeps the default
			}
			if err := spec.decode(c, v); err != nil {
				problems = append(problems, Problem{file, k.Line, name, err.Error()})
				failed[name] = true
			}
			continue
		}
		if p, note := l.unknownKey(name, at); p != nil {
			problems = append(problems, *p)
		} else {
			c.Notes = append(c.Notes, note)
		}
	}
	problems = append(problems, l.applyEnv(c, sources, failed)...)

	c.applyDerivedDefaults()
	problems = append(problems, c.validate(sources, failed)...)
	if !l.skipSecrets {
		problems = append(problems, c.resolveSecrets(l.lookupEnv, sources)...)
	}
	if len(problems) > 0 {
		// A secret pasted into a deploy key would otherwise be echoed.
		for i := range problems {
			problems[i].Message = secret.Scrub(problems[i].Message, c.secretValues()...)
		}
		sortProblems(problems)
		return nil, &ValidationError{Problems: problems}
	}
	return c, nil
}

// unknownKey returns a problem for a key that looks like a misspelt
// deploy key (or any unknown key in strict mode), else a note.
func (l *loader) unknownKey(name string, at source) (*Problem, Note) {
	if why, ok := otherKeys[name]; ok {
		return nil, Note{at.file, at.line, name, "ignored by beanswap (" + why + ")"}
	}
	suggestion := nearestKey(name)
	switch {
	case suggestion != "":
		return &Problem{at.file, at.line, name, fmt.Sprintf("unknown key; did you mean %q?", suggestion)}, Note{}
	case l.strict:
		return &Problem{at.file, at.line, name, "unknown key (strict mode); known keys are listed by config.KnownKeys"}, Note{}
	default:
		return nil, Note{at.file, at.line, name, "not a deploy setting; left to the application"}
	}
}

// applyEnv applies BEANSWAP_* overrides, which win over the file.
func (l *loader) applyEnv(c *Config, sources map[string]source, failed map[string]bool) []Problem {
	var problems []Problem
	for _, spec := range deployKeys {
		if spec.fromEnv == nil {
			continue
		}
		env := EnvName(spec.name)
		v, ok := l.lookupEnv(env)
		if !ok {
			continue
		}
		at := source{file: "$" + env}
		sources[spec.name] = at
		if err := spec.decode(c, spec.fromEnv(v)); err != nil {
			problems = append(problems, Problem{at.file, 0, spec.name, err.Error()})
			failed[spec.name] = true
		}
	}
	return problems
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// sortProblems puts file problems in line order, then the others (the
// environment, missing keys) by key.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if (a.Line > 0) != (b.Line > 0) {
			return a.Line > 0
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Key < b.Key
	})
}

func (c *Config) secretValues() []secret.Value {
	vals := make([]secret.Value, 0, len(c.Secrets))
	for _, v := range c.Secrets {
		vals = append(vals, v)
	}
	return vals
}
