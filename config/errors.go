package config

import (
	"errors"
	"fmt"
	"strings"
)

// ErrEmpty is returned (wrapped) for a configuration file with no settings.
var ErrEmpty = errors.New("configuration file is empty")

// Problem is one invalid or missing setting.
type Problem struct {
	// File is the configuration file, or the environment variable that
	// supplied the value ("$BEANSWAP_AWS_REGION").
	File string
	// Line is the 1-based line in File, 0 when unknown or not a file.
	Line int
	// Key is the YAML key.
	Key string
	// Message says what is wrong and what is expected. It never holds a
	// secret value.
	Message string
}

func (p Problem) Error() string { return location(p.File, p.Line) + p.Key + ": " + p.Message }

// ValidationError lists every problem found in a configuration, in file order.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid configuration: " + e.Problems[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid configuration (%d problems):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap exposes each problem to errors.As.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// Has reports whether a problem concerns key.
func (e *ValidationError) Has(key string) bool {
	for _, p := range e.Problems {
		if p.Key == key {
			return true
		}
	}
	return false
}

func location(file string, line int) string {
	switch {
	case file == "":
		return ""
	case line > 0:
		return fmt.Sprintf("%s:%d: ", file, line)
	default:
		return file + ": "
	}
}
