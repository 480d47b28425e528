package dockercfg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/beanswap/beanswap/internal/proc"
	"github.com/beanswap/beanswap/secret"
)

// ErrHelperNotFound is wrapped when a configured credential helper is not
// installed.
var ErrHelperNotFound = errors.New("credential helper not installed")

// helperNotFoundMessage is what the docker-credential-helpers print when a
// store has no entry: an answer, not a failure.
const helperNotFoundMessage = "credentials not found in native keychain"

// Helper asks a Docker credential helper for a registry's credentials. It
// returns ErrNotFound (wrapped) when the helper has none.
type Helper interface {
	Get(ctx context.Context, name, serverURL string) (Credentials, error)
}

// ExecHelper runs docker-credential-NAME get, without a shell, with the
// server URL on stdin, as the docker CLI does. Its zero value is ready.
type ExecHelper struct {
	// LookPath finds the helper program; default exec.LookPath.
	LookPath func(file string) (string, error)
	// Env is the helper's environment; nil inherits the process's.
	Env []string
	// Timeout bounds one call, which may wait on a keychain; default 30s.
	Timeout time.Duration
}

// HelperError reports a credential helper that failed. Output is what it
// printed (truncated), which the helpers use for their error messages.
type HelperError struct {
	Helper    string
	ServerURL string
	Output    string
	Err       error
}

func (e *HelperError) Error() string {
	msg := fmt.Sprintf("credential helper docker-credential-%s for %s", e.Helper, e.ServerURL)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Output != "" {
		msg += ": " + e.Output
	}
	return msg
}

func (e *HelperError) Unwrap() error { return e.Err }

// helperAnswer is the JSON a helper prints for "get".
type helperAnswer struct {
	ServerURL string
	Username  string
	Secret    string
}

// Get implements Helper.
func (h ExecHelper) Get(ctx context.Context, name, serverURL string) (Credentials, error) {
	program := "docker-credential-" + name
	lookPath := h.LookPath
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	path, err := lookPath(program)
	if err != nil {
		return Credentials{}, fmt.Errorf("%s: %w (install it, or remove it from the docker config)", program, ErrHelperNotFound)
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, path, "get")
	cmd.Stdin = strings.NewReader(serverURL)
	cmd.Env = h.Env
	// Neither the helper nor a child it left behind outlives the call.
	proc.KillGroupOnCancel(cmd)
	cmd.WaitDelay = time.Second
	var stdout, stderr capped
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()

	if runErr != nil {
		if strings.Contains(stdout.String()+stderr.String(), helperNotFoundMessage) {
			return Credentials{}, fmt.Errorf("docker-credential-%s has no credentials for %s: %w", name, serverURL, ErrNotFound)
		}
		switch {
		case parent.Err() != nil:
			runErr = parent.Err() // the caller stopped; the helper did not time out
		case ctx.Err() != nil:
			runErr = fmt.Errorf("timed out after %s: %w", timeout, ctx.Err())
		}
		return Credentials{}, &HelperError{Helper: name, ServerURL: serverURL, Output: failureOutput(stdout.Bytes(), stderr.Bytes()), Err: runErr}
	}
	var ans helperAnswer
	if err := json.Unmarshal(stdout.Bytes(), &ans); err != nil {
		// Never echo stdout here: it may be a half-printed secret.
		return Credentials{}, &HelperError{Helper: name, ServerURL: serverURL, Output: truncate(stderr.String(), 512), Err: errors.New("answer is not the expected JSON")}
	}
	c := Credentials{ServerAddress: serverURL, Source: "credential helper " + name}
	if ans.Username == "<token>" {
		c.IdentityToken = secretOf(ans.Secret)
	} else {
		c.Username, c.Password = ans.Username, secretOf(ans.Secret)
	}
	if c.Username == "" && c.IdentityToken.IsZero() {
		return Credentials{}, fmt.Errorf("docker-credential-%s returned empty credentials for %s: %w", name, serverURL, ErrNotFound)
	}
	return c, nil
}

// maxHelperOutput bounds what is kept of a helper's output.
const maxHelperOutput = 64 << 10

// capped keeps the first maxHelperOutput bytes written to it and drops
// the rest, without ever refusing a write (the helper keeps running).
type capped struct{ bytes.Buffer }

func (c *capped) Write(p []byte) (int, error) {
	if room := maxHelperOutput - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// failureOutput is what a failed helper's error may quote: what it
// printed, unless that holds (or may hold) its answer — a helper that
// printed its credentials and then failed must not have them quoted.
func failureOutput(stdout, stderr []byte) string {
	out := strings.TrimSpace(string(stdout))
	var ans helperAnswer
	if strings.HasPrefix(out, "{") || strings.Contains(out, `"Secret"`) {
		if json.Unmarshal(stdout, &ans) == nil && ans.Secret != "" {
			return truncate(secret.Scrub(string(stderr), secret.New(ans.Secret)), 512)
		}
		out = "(its answer is not shown: it may hold a secret)"
	}
	return truncate(strings.TrimSpace(out+" "+string(stderr)), 512)
}

func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
