package acceptance

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/progress"
)

func service(t *testing.T, h http.HandlerFunc) Target {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return Target{URL: srv.URL, Environment: "hello-2", Version: "2.0-abc"}
}

func TestHTTPChecks(t *testing.T) {
	app := func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ping":
			_, _ = w.Write([]byte("{}"))
		case "/version":
			_, _ = w.Write([]byte(`{"version": "2.0-abc", "build": {"number": 42, "ok": true}}`))
		case "/html":
			_, _ = w.Write([]byte("<h1>hello 2.0-abc</h1>"))
		case "/created":
			w.WriteHeader(http.StatusCreated)
		default:
			http.NotFound(w, r)
		}
	}
	tests := map[string]struct {
		check HTTPCheck
		fail  string
	}{
		"status":             {check: HTTPCheck{Path: "/ping"}},
		"other status":       {check: HTTPCheck{Path: "/created", Method: "post", Status: 201}},
		"wrong status":       {check: HTTPCheck{Path: "/nope"}, fail: "status 404, want 200"},
		"json field":         {check: HTTPCheck{Path: "/version", JSONField: "version", Equals: "{version}"}},
		"nested json number": {check: HTTPCheck{Path: "/version", JSONField: "build.number", Equals: "42"}},
		"json bool":          {check: HTTPCheck{Path: "/version", JSONField: "build.ok", Equals: "true"}},
		"json mismatch":      {check: HTTPCheck{Path: "/version", JSONField: "version", Equals: "1.0"}, fail: `version is "2.0-abc", want "1.0"`},
		"json missing field": {check: HTTPCheck{Path: "/version", JSONField: "commit"}, fail: `no field "commit"`},
		"json into a scalar": {check: HTTPCheck{Path: "/version", JSONField: "version.x"}, fail: `not an object at "x"`},
		"not json":           {check: HTTPCheck{Path: "/html", JSONField: "version"}, fail: "body is not JSON"},
		"body contains":      {check: HTTPCheck{Path: "/html", BodyContains: "hello {version}"}},
		"body lacks":         {check: HTTPCheck{Path: "/html", BodyContains: "goodbye"}, fail: `body does not contain "goodbye"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			target := service(t, app)
			rec := &progress.Recorder{}
			h := &HTTP{Checks: []HTTPCheck{tc.check}, Timeout: time.Minute, Clock: beanstalktest.NewManualClock(time.Time{}), Observer: rec.Observe}
			err := h.Check(context.Background(), target)
			if tc.fail == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrFailed)
			assert.ErrorContains(t, err, tc.fail)
			var f *Failure
			require.ErrorAs(t, err, &f)
			assert.Greater(t, f.Attempts, 1, "retried until the timeout")
			assert.Len(t, rec.Events(), f.Attempts)
		})
	}
}

func TestHTTPRetriesUntilWarm(t *testing.T) {
	var calls atomic.Int32
	target := service(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 4 {
			http.Error(w, "warming up", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("{}"))
	})
	clk := beanstalktest.NewManualClock(time.Time{})
	start := clk.Now()
	rec := &progress.Recorder{}
	h := &HTTP{Checks: []HTTPCheck{{Name: "ping", Path: "/"}}, Clock: clk, Observer: rec.Observe}
	require.NoError(t, h.Check(context.Background(), target))
	assert.EqualValues(t, 4, calls.Load())
	assert.Equal(t, 5*time.Second+7500*time.Millisecond+11250*time.Millisecond, clk.Now().Sub(start), "backing off 5s, ×1.5")
	events := rec.Events()
	require.Len(t, events, 4)
	last := events[3].(progress.CheckResult)
	assert.True(t, last.Passed)
	assert.Equal(t, 4, last.Attempt)
	assert.Contains(t, events[0].(progress.CheckResult).Detail, "status 503, want 200")
}

func TestHTTPNoAnswer(t *testing.T) {
	h := &HTTP{Checks: []HTTPCheck{{Path: "/"}}, Timeout: 10 * time.Second, Clock: beanstalktest.NewManualClock(time.Time{})}
	err := h.Check(context.Background(), Target{URL: "http://127.0.0.1:1"})
	assert.ErrorContains(t, err, "no answer")
}

func TestHTTPHonoursContext(t *testing.T) {
	target := service(t, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	h := &HTTP{Checks: []HTTPCheck{{Path: "/"}}} // wall clock: it would wait 5s
	start := time.Now()
	err := h.Check(ctx, target)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
}

func TestAllStopsAtFirstFailure(t *testing.T) {
	var ran []string
	check := func(name string, err error) Checker {
		return CheckerFunc(func(context.Context, Target) error { ran = append(ran, name); return err })
	}
	err := All{check("a", nil), nil, check("b", &Failure{Check: "b", Detail: "x"}), check("c", nil)}.Check(context.Background(), Target{})
	assert.ErrorIs(t, err, ErrFailed)
	assert.Equal(t, []string{"a", "b"}, ran)
}

func TestTarget(t *testing.T) {
	tests := map[string]struct {
		url  string
		host string
		port int
	}{
		"http":          {"http://hello.us-east-1.elasticbeanstalk.com", "hello.us-east-1.elasticbeanstalk.com", 80},
		"https":         {"https://api.example.com/", "api.example.com", 443},
		"explicit port": {"http://127.0.0.1:8080", "127.0.0.1", 8080},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tg := Target{URL: tc.url, Version: "v"}
			assert.Equal(t, tc.host, tg.Host())
			assert.Equal(t, tc.port, tg.Port())
			assert.Equal(t, tc.host+" v", tg.expand("{host} {version}"))
		})
	}
}

// TestInsecureForCNAMEs: an environment reached by its CNAME shows the
// live host's certificate; with Insecure (NO_SSL_CHECK) the check passes,
// without it the certificate is refused.
func TestInsecureForCNAMEs(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("{}")) }))
	defer srv.Close()
	check := func(insecure bool) error {
		h := &HTTP{Checks: []HTTPCheck{{Path: "/ping"}}, Timeout: time.Nanosecond, Insecure: insecure}
		return h.Check(context.Background(), Target{URL: srv.URL})
	}
	assert.NoError(t, check(true))
	err := check(false)
	assert.ErrorContains(t, err, "certificate")
}
