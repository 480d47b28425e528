// Package acceptance decides whether a new environment may take live
// traffic: it runs acceptance tests against a target URL.
//
//	checks := &acceptance.HTTP{Checks: []acceptance.HTTPCheck{{Path: "/ping"}}}
//	passed, err := acceptance.Run(ctx, checks, acceptance.Target{URL: "http://hello-2.us-east-1.elasticbeanstalk.com"})
//
// Run returns the proof that the checks passed (Passed), which a swap
// accepts instead of running them again. Checker is the
// interface any caller can implement; HTTP retries HTTP checks until they
// pass or time runs out (a fresh environment warms up), and Command runs
// an external test suite, such as a pymacaron service's testaccept/, with
// the variables it expects.
package acceptance

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ErrFailed is wrapped by every *Failure.
var ErrFailed = errors.New("acceptance tests failed")

// Target is what the tests run against.
type Target struct {
	// URL is the base URL, e.g. http://hello-1-2.us-east-1.elasticbeanstalk.com.
	URL string
	// Environment names the Beanstalk environment, for messages.
	Environment string
	// Version is the deployed version label; "{version}" in checks and
	// command arguments stands for it.
	Version string
}

// Host returns the target's host name.
func (t Target) Host() string {
	u, err := url.Parse(t.URL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// Port returns the target's port: explicit, or 443 for https, else 80.
func (t Target) Port() int {
	u, err := url.Parse(t.URL)
	if err != nil {
		return 80
	}
	if p, err := strconv.Atoi(u.Port()); err == nil {
		return p
	}
	if u.Scheme == "https" {
		return 443
	}
	return 80
}

// expand replaces the placeholders {url}, {host}, {port} and {version}.
func (t Target) expand(s string) string {
	return strings.NewReplacer(
		"{url}", strings.TrimRight(t.URL, "/"),
		"{host}", t.Host(),
		"{port}", strconv.Itoa(t.Port()),
		"{version}", t.Version,
	).Replace(s)
}

// Checker runs acceptance tests against a target; nil error means pass.
type Checker interface {
	Check(ctx context.Context, t Target) error
}

// CheckerFunc adapts a function to Checker.
type CheckerFunc func(ctx context.Context, t Target) error

// Check calls f.
func (f CheckerFunc) Check(ctx context.Context, t Target) error { return f(ctx, t) }

// All runs checkers in order and stops at the first failure.
type All []Checker

// Check implements Checker.
func (a All) Check(ctx context.Context, t Target) error {
	for _, c := range a {
		if c == nil {
			continue
		}
		if err := c.Check(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// Failure reports a failed check: which, against what, and why.
type Failure struct {
	Check    string
	Target   string
	Attempts int
	Detail   string
}

func (f *Failure) Error() string {
	s := fmt.Sprintf("acceptance check %q failed against %s", f.Check, f.Target)
	if f.Attempts > 1 {
		s += fmt.Sprintf(" after %d attempts", f.Attempts)
	}
	return s + ": " + f.Detail
}

func (f *Failure) Unwrap() error { return ErrFailed }

// Passed records that a Checker passed against a Target. Only Run makes
// one, so holding one proves the checks ran, in this process, against
// that environment and version: a swap that is handed one need not run
// them again, and a swap that is not runs them first.
type Passed struct {
	target Target
	ok     bool
}

// Run runs c against t and, when it passes, returns the proof.
func Run(ctx context.Context, c Checker, t Target) (Passed, error) {
	if c == nil {
		return Passed{}, errors.New("acceptance: no checks given")
	}
	if err := c.Check(ctx, t); err != nil {
		return Passed{}, err
	}
	return Passed{target: t, ok: true}, nil
}

// Covers reports whether the checks passed against environment running version.
func (p Passed) Covers(environment, version string) bool {
	return p.ok && p.target.Environment == environment && p.target.Version == version
}

// Target returns what the checks passed against; zero if they did not.
func (p Passed) Target() Target { return p.target }
