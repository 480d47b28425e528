package secret

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
)

// Scrubber removes known secret values, and the forms they travel in
// (base64, JSON-escaped), from text a tool emits: progress, logs,
// errors, JSON. It is safe for concurrent use; Add values as they become
// known (a registry password once resolved). The zero value scrubs
// nothing and is ready to use.
type Scrubber struct {
	mu       sync.RWMutex
	values   []string
	replacer *strings.Replacer
}

// NewScrubber returns a Scrubber that knows values.
func NewScrubber(values ...Value) *Scrubber {
	s := &Scrubber{}
	s.Add(values...)
	return s
}

// minLength: shorter values would redact ordinary words.
const minLength = 4

// Add makes the scrubber remove values (and their encodings) too.
func (s *Scrubber) Add(values ...Value) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		raw := v.Reveal()
		if len(raw) < minLength {
			continue
		}
		quoted, _ := json.Marshal(raw)
		for _, form := range []string{
			raw,
			string(quoted[1 : len(quoted)-1]),
			base64.StdEncoding.EncodeToString([]byte(raw)),
			base64.RawStdEncoding.EncodeToString([]byte(raw)),
			base64.URLEncoding.EncodeToString([]byte(raw)),
			base64.RawURLEncoding.EncodeToString([]byte(raw)),
		} {
			if !slices.Contains(s.values, form) {
				s.values = append(s.values, form)
			}
		}
	}
	// Longest first: a value inside another's encoding is not cut short.
	slices.SortFunc(s.values, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(s.values))
	for _, v := range s.values {
		pairs = append(pairs, v, redacted)
	}
	s.replacer = strings.NewReplacer(pairs...)
}

// String returns text with every known secret replaced by "[redacted]".
func (s *Scrubber) String(text string) string {
	if s == nil {
		return text
	}
	s.mu.RLock()
	r := s.replacer
	s.mu.RUnlock()
	if r == nil {
		return text
	}
	return r.Replace(text)
}

// Error returns err with a scrubbed message; errors.Is and errors.As
// still see the original chain. Nil stays nil.
func (s *Scrubber) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := s.String(err.Error())
	if msg == err.Error() {
		if _, ok := err.(*scrubbedError); ok {
			return err
		}
	}
	return &scrubbedError{msg: msg, err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// Handler wraps h so that every record's message and attributes are
// scrubbed before h sees them.
func (s *Scrubber) Handler(h slog.Handler) slog.Handler {
	return &scrubHandler{h: h, s: s}
}

type scrubHandler struct {
	h slog.Handler
	s *Scrubber
}

func (sh *scrubHandler) Enabled(ctx context.Context, l slog.Level) bool { return sh.h.Enabled(ctx, l) }

func (sh *scrubHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, sh.s.String(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(sh.attr(a))
		return true
	})
	return sh.h.Handle(ctx, out)
}

func (sh *scrubHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = sh.attr(a)
	}
	return &scrubHandler{h: sh.h.WithAttrs(clean), s: sh.s}
}

func (sh *scrubHandler) WithGroup(name string) slog.Handler {
	return &scrubHandler{h: sh.h.WithGroup(name), s: sh.s}
}

func (sh *scrubHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, sh.s.String(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = sh.attr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		return slog.String(a.Key, sh.s.String(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
