package acceptance

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/progress"
)

// HTTPCheck is one request and what its answer must hold.
type HTTPCheck struct {
	Name   string
	Method string // default GET
	Path   string
	// Status is the expected status; default 200.
	Status int
	// BodyContains must appear in the body.
	BodyContains string
	// JSONField is a dotted path into a JSON body ("version",
	// "build.commit") whose value must equal Equals.
	JSONField string
	Equals    string
}

// HTTP runs HTTPChecks in order, each retried until it passes or Timeout
// runs out: a fresh environment may answer 503 for a while.
type HTTP struct {
	Checks []HTTPCheck
	// Client sends the requests; default a client with a 10s timeout.
	Client *http.Client
	// Timeout is how long one check may keep failing; default 5 minutes.
	Timeout time.Duration
	// Interval is the first delay between attempts; default 5s, growing
	// to 30s.
	Interval time.Duration
	// Clock times the retries; default the wall clock.
	Clock clock.Clock
	// Observer receives a CheckResult per attempt.
	Observer progress.Observer
	// Insecure does not verify HTTPS certificates: an environment reached
	// by its CNAME shows the live host's certificate (pymacaron's
	// NO_SSL_CHECK). It applies to Client's transport when that is an
	// *http.Transport (or nil).
	Insecure bool
}

// maxBody bounds what is read of an answer.
const maxBody = 1 << 20

// Check implements Checker.
func (h *HTTP) Check(ctx context.Context, t Target) error {
	clk := clock.Or(h.Clock)
	client := h.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if h.Insecure {
		client = insecure(client)
	}
	timeout, interval := h.Timeout, h.Interval
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	if interval <= 0 {
		interval = 5 * time.Second
	}
	for _, c := range h.Checks {
		if err := h.run(ctx, clk, client, c, t, timeout, interval); err != nil {
			return err
		}
	}
	return nil
}

func (h *HTTP) run(ctx context.Context, clk clock.Clock, client *http.Client, c HTTPCheck, t Target, timeout, interval time.Duration) error {
	name := c.Name
	if name == "" {
		name = strings.TrimSpace(strings.ToUpper(c.Method) + " " + c.Path)
	}
	target := strings.TrimRight(t.URL, "/") + c.Path
	deadline := clk.Now().Add(timeout)
	for attempt := 1; ; attempt++ {
		detail := h.attempt(ctx, client, c, t, target)
		h.Observer.Emit(progress.CheckResult{At: clk.Now(), Check: name, Target: target, Passed: detail == "", Attempt: attempt, Detail: detail})
		if detail == "" {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("acceptance check %q against %s: %w", name, target, err)
		}
		now := clk.Now()
		if !now.Before(deadline) {
			return &Failure{Check: name, Target: target, Attempts: attempt, Detail: detail}
		}
		if err := clk.Sleep(ctx, min(interval, deadline.Sub(now))); err != nil {
			return fmt.Errorf("acceptance check %q against %s: %w", name, target, err)
		}
		interval = min(interval*3/2, 30*time.Second)
	}
}

// attempt sends one request and returns why it failed, or "".
func (h *HTTP) attempt(ctx context.Context, client *http.Client, c HTTPCheck, t Target, target string) string {
	method := strings.ToUpper(c.Method)
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return "bad request: " + err.Error()
	}
	req.Header.Set("User-Agent", "beanswap-acceptance")
	resp, err := client.Do(req)
	if err != nil {
		return "no answer: " + err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "reading the answer: " + err.Error()
	}
	want := c.Status
	if want == 0 {
		want = http.StatusOK
	}
	if resp.StatusCode != want {
		return fmt.Sprintf("status %d, want %d (body: %s)", resp.StatusCode, want, snippet(body))
	}
	if s := t.expand(c.BodyContains); s != "" && !bytes.Contains(body, []byte(s)) {
		return fmt.Sprintf("body does not contain %q (body: %s)", s, snippet(body))
	}
	if c.JSONField != "" {
		got, err := jsonField(body, c.JSONField)
		if err != nil {
			return err.Error() + " (body: " + snippet(body) + ")"
		}
		if want := t.expand(c.Equals); got != want {
			return fmt.Sprintf("%s is %q, want %q", c.JSONField, got, want)
		}
	}
	return ""
}

// jsonField reads a dotted path from a JSON object, as text.
func jsonField(body []byte, path string) (string, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "", fmt.Errorf("body is not JSON: %v", err)
	}
	for _, part := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("%s: not an object at %q", path, part)
		}
		if v, ok = obj[part]; !ok {
			return "", fmt.Errorf("%s: no field %q", path, part)
		}
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case nil:
		return "null", nil
	default:
		b, _ := json.Marshal(x)
		return string(b), nil
	}
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "empty"
	}
	return fmt.Sprintf("%q", s)
}

// insecure returns a copy of c that does not verify certificates.
func insecure(c *http.Client) *http.Client {
	var t *http.Transport
	switch rt := c.Transport.(type) {
	case nil:
		t = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		t = rt.Clone()
	default:
		return c // a transport of the caller's: it decides
	}
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // NO_SSL_CHECK, asked for
	out := *c
	out.Transport = t
	return &out
}
