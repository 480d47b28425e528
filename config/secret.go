package config

import (
	"fmt"
	"log/slog"
	"strings"
)

// redacted is what every printing path shows instead of a secret's value.
const redacted = "[redacted]"

// Secret holds a value that must never reach an error, a log line or
// formatted output. Only Reveal returns the value; every other way of
// printing it (fmt verbs, JSON, text, slog) shows "[redacted]".
type Secret struct {
	value string
}

// NewSecret wraps value.
func NewSecret(value string) Secret { return Secret{value: value} }

// Reveal returns the value. Call it only where the value leaves for its
// destination (an option setting sent to AWS, a child process environment).
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.value == "" }

// String implements fmt.Stringer.
func (s Secret) String() string { return redacted }

// GoString implements fmt.GoStringer, so %#v does not print the value.
func (s Secret) GoString() string { return "config.Secret(" + redacted + ")" }

// Format implements fmt.Formatter: whatever the verb, the value stays hidden.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(s.GoString()))
		return
	}
	_, _ = f.Write([]byte(redacted))
}

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// redact replaces every secret value of c found in s.
func (c *Config) redact(s string) string {
	for _, sec := range c.Secrets {
		if len(sec.value) >= 3 {
			s = strings.ReplaceAll(s, sec.value, redacted)
		}
	}
	return s
}
