package acceptance

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/progress"
)

func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "testaccept")
	require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o700))
	return p
}

func TestCommandPasses(t *testing.T) {
	prog := script(t, `echo "host=$PYM_SERVER_HOST port=$PYM_SERVER_PORT nossl=$NO_SSL_CHECK url=$BEANSWAP_TARGET_URL version=$BEANSWAP_TARGET_VERSION extra=$EXTRA"
echo "args: $*"
echo "warning" >&2`)
	rec := &progress.Recorder{}
	c := &Command{Argv: []string{prog, "--host", "{host}", "{version}"}, Env: []string{"EXTRA=1"}, Observer: rec.Observe}
	err := c.Check(context.Background(), Target{URL: "http://hello-2.us-east-1.elasticbeanstalk.com", Version: "2.0"})
	require.NoError(t, err)
	lines := map[string]string{}
	for _, e := range rec.Events() {
		o := e.(progress.Output)
		lines[o.Line] = o.Stream
	}
	assert.Equal(t, "stdout", lines["host=hello-2.us-east-1.elasticbeanstalk.com port=80 nossl=1 url=http://hello-2.us-east-1.elasticbeanstalk.com version=2.0 extra=1"])
	assert.Equal(t, "stdout", lines["args: --host hello-2.us-east-1.elasticbeanstalk.com 2.0"], "placeholders replaced, no shell")
	assert.Equal(t, "stderr", lines["warning"])
}

func TestCommandFails(t *testing.T) {
	var lines []string
	for i := 0; i < 30; i++ {
		lines = append(lines, "echo line"+strings.Repeat("x", i%3)+"-"+string(rune('a'+i%26)))
	}
	prog := script(t, strings.Join(lines, "\n")+"\necho 'FAILED test_version' >&2\nexit 3\n")
	err := (&Command{Argv: []string{prog}, TailLines: 5}).Check(context.Background(), Target{URL: "http://x"})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrFailed)
	assert.ErrorContains(t, err, "exit status 3")
	assert.ErrorContains(t, err, "FAILED test_version")
	assert.Contains(t, err.Error(), "last stderr:\n  FAILED test_version; last stdout:\n  ")
	assert.Equal(t, 1+5, strings.Count(err.Error(), "\n  "), "only the tails are quoted")
}

func TestCommandTimeoutAndCancel(t *testing.T) {
	prog := script(t, "sleep 30\n")
	start := time.Now()
	err := (&Command{Argv: []string{prog}, Timeout: 200 * time.Millisecond}).Check(context.Background(), Target{URL: "http://x"})
	assert.ErrorIs(t, err, ErrFailed)
	assert.ErrorContains(t, err, "stopped: context deadline exceeded")
	assert.Less(t, time.Since(start), 10*time.Second)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	err = (&Command{Argv: []string{prog}}).Check(ctx, Target{URL: "http://x"})
	assert.ErrorContains(t, err, "context canceled")
}

func TestCommandMissing(t *testing.T) {
	err := (&Command{Argv: []string{"/nonexistent/testaccept"}}).Check(context.Background(), Target{URL: "http://x"})
	assert.ErrorContains(t, err, "start acceptance command /nonexistent/testaccept")
	err = (&Command{}).Check(context.Background(), Target{})
	assert.ErrorContains(t, err, "no program given")
}

// TestCommandWithAHugeLine: a line over a mebibyte neither blocks the
// command on its pipe nor fails a passing suite.
func TestCommandWithAHugeLine(t *testing.T) {
	var lines []string
	c := &Command{Argv: []string{"sh", "-c", `head -c 3000000 /dev/zero | tr '\0' x; echo; echo done`}, Timeout: 10 * time.Second,
		Observer: func(e progress.Event) {
			if o, ok := e.(progress.Output); ok {
				lines = append(lines, o.Line)
			}
		}}
	start := time.Now()
	require.NoError(t, c.Check(context.Background(), Target{URL: "http://x"}))
	assert.Less(t, time.Since(start), 5*time.Second)
	require.Len(t, lines, 2)
	assert.Len(t, lines[0], maxLine+len(" … (2934464 more bytes of this line not shown)"))
	assert.Equal(t, "done", lines[1])
}
