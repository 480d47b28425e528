// Package secret holds values that must never be printed: registry
// passwords, env_secrets values, tokens.
//
//	v := secret.New(os.Getenv("API_KEY"))
//	fmt.Println(v)   // [redacted]
//	send(v.Reveal()) // only where the value leaves for its destination
package secret

import (
	"fmt"
	"log/slog"
	"strings"
)

// redacted is what every printing path shows instead of a secret's value.
const redacted = "[redacted]"

// Redacted is what printing a Value shows.
const Redacted = redacted

// Value holds a string that must never reach an error, a log line or
// formatted output. Only Reveal returns it; every other way of printing it
// (fmt verbs, JSON, text, slog) shows "[redacted]".
type Value struct {
	// The string sits behind a pointer because fmt prints a pointer found
	// inside a struct as an address: a Value held in an unexported field,
	// where its methods cannot be called, still does not show its content.
	box *box
}

type box struct{ s string }

// New wraps value.
func New(value string) Value { return Value{box: &box{value}} }

// Reveal returns the value. Call it only where the value leaves for its
// destination (an option setting sent to AWS, a child process environment).
func (s Value) Reveal() string {
	if s.box == nil {
		return ""
	}
	return s.box.s
}

// IsZero reports whether the secret is empty.
func (s Value) IsZero() bool { return s.Reveal() == "" }

// String implements fmt.Stringer.
func (s Value) String() string { return redacted }

// GoString implements fmt.GoStringer, so %#v does not print the value.
func (s Value) GoString() string { return "secret.Value(" + redacted + ")" }

// Format implements fmt.Formatter: whatever the verb, the value stays hidden.
func (s Value) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(s.GoString()))
		return
	}
	_, _ = f.Write([]byte(redacted))
}

// MarshalJSON implements json.Marshaler.
func (s Value) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler.
func (s Value) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue implements slog.LogValuer.
func (s Value) LogValue() slog.Value { return slog.StringValue(redacted) }

// Scrub replaces every value of secrets (of three characters or more)
// found in s, for text built from user input that might hold one.
func Scrub(s string, secrets ...Value) string {
	for _, sec := range secrets {
		if v := sec.Reveal(); len(v) >= 3 {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	return s
}
