package dockercfg

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helperDir writes docker-credential-NAME scripts into a directory and
// returns an ExecHelper that finds them there only.
func helperDir(t *testing.T, scripts map[string]string) (ExecHelper, string) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range scripts {
		p := filepath.Join(dir, "docker-credential-"+name)
		require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o700))
	}
	return ExecHelper{
		LookPath: func(file string) (string, error) {
			p := filepath.Join(dir, file)
			if _, err := os.Stat(p); err != nil {
				return "", exec.ErrNotFound
			}
			return p, nil
		},
		Timeout: 5 * time.Second,
	}, dir
}

func TestExecHelper(t *testing.T) {
	h, dir := helperDir(t, map[string]string{
		// Records its argument and stdin, then answers.
		"ok": `echo "$1" > "$(dirname "$0")/args"; cat > "$(dirname "$0")/stdin"
echo '{"ServerURL":"https://index.docker.io/v1/","Username":"hub","Secret":"hubsecret"}'`,
		"token":    `cat >/dev/null; echo '{"ServerURL":"x","Username":"<token>","Secret":"refresh-tok"}'`,
		"notfound": `cat >/dev/null; echo "credentials not found in native keychain"; exit 1`,
		"broken":   `cat >/dev/null; echo "keychain locked" >&2; exit 3`,
		"garbage":  `cat >/dev/null; echo 'password=leakedsecret'`,
		"empty":    `cat >/dev/null; echo '{"ServerURL":"x","Username":"","Secret":""}'`,
		"slow":     `sleep 10`,
	})
	ctx := context.Background()

	c, err := h.Get(ctx, "ok", DockerHubServer)
	require.NoError(t, err)
	assert.Equal(t, "hub", c.Username)
	assert.Equal(t, "hubsecret", c.Password.Reveal())
	assert.Equal(t, "credential helper ok", c.Source)
	args, _ := os.ReadFile(filepath.Join(dir, "args"))
	stdin, _ := os.ReadFile(filepath.Join(dir, "stdin"))
	assert.Equal(t, "get\n", string(args))
	assert.Equal(t, DockerHubServer, string(stdin), "server URL on stdin, nothing else")

	c, err = h.Get(ctx, "token", "ghcr.io")
	require.NoError(t, err)
	assert.Empty(t, c.Username)
	assert.Equal(t, "refresh-tok", c.IdentityToken.Reveal())

	_, err = h.Get(ctx, "notfound", "ghcr.io")
	assert.ErrorIs(t, err, ErrNotFound)

	_, err = h.Get(ctx, "empty", "ghcr.io")
	assert.ErrorIs(t, err, ErrNotFound)

	_, err = h.Get(ctx, "broken", "ghcr.io")
	var herr *HelperError
	require.ErrorAs(t, err, &herr)
	assert.Equal(t, "broken", herr.Helper)
	assert.Contains(t, err.Error(), "docker-credential-broken for ghcr.io: exit status 3: keychain locked")

	_, err = h.Get(ctx, "garbage", "ghcr.io")
	require.ErrorAs(t, err, &herr)
	assert.NotContains(t, err.Error(), "leakedsecret", "stdout may hold a secret")

	_, err = h.Get(ctx, "missing", "ghcr.io")
	assert.ErrorIs(t, err, ErrHelperNotFound)
	assert.Contains(t, err.Error(), "docker-credential-missing")

	short := h
	short.Timeout = 200 * time.Millisecond
	start := time.Now()
	_, err = short.Get(ctx, "slow", "ghcr.io")
	require.ErrorAs(t, err, &herr)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 3*time.Second)

	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = h.Get(cctx, "slow", "ghcr.io")
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
}

// TestStoreWithExecHelper runs the whole lookup with a real helper
// process configured as credsStore.
func TestStoreWithExecHelper(t *testing.T) {
	h, _ := helperDir(t, map[string]string{
		"desktop": `read url; if [ "$url" = "https://index.docker.io/v1/" ]; then echo '{"Username":"u","Secret":"s"}'; else echo "credentials not found in native keychain"; exit 1; fi`,
	})
	s, err := Parse("config.json", []byte(`{"auths":{"https://index.docker.io/v1/":{}},"credsStore":"desktop"}`), false, WithHelper(h))
	require.NoError(t, err)
	_, c, err := s.ForImage(context.Background(), "team/app:3")
	require.NoError(t, err)
	assert.Equal(t, "u", c.Username)
	_, _, err = s.ForImage(context.Background(), "ghcr.io/team/app:3")
	assert.ErrorIs(t, err, ErrNotFound)
}

// TestHelperFailuresLeakNothing: a helper that prints its answer and then
// fails must not have the answer quoted; one that leaves a child behind is
// killed with it at the timeout; an interrupted call says so, not "timed
// out after 30s".
func TestHelperFailuresLeakNothing(t *testing.T) {
	h, dir := helperDir(t, map[string]string{
		"answersthenfails": `cat >/dev/null; echo '{"ServerURL":"x","Username":"u","Secret":"hunter2-secret"}'; echo "hunter2-secret: oops" >&2; exit 1`,
		"halfanswer":       `cat >/dev/null; printf '{"Username":"u","Secret":"half-printed-secret'; exit 1`,
		"forks":            `cat >/dev/null; (sleep 1; touch "$(dirname "$0")/child-survived") & sleep 30`,
	})
	ctx := context.Background()
	for _, name := range []string{"answersthenfails", "halfanswer"} {
		_, err := h.Get(ctx, name, "ghcr.io")
		var herr *HelperError
		require.ErrorAs(t, err, &herr, name)
		assert.NotContains(t, err.Error(), "hunter2-secret", name)
		assert.NotContains(t, err.Error(), "half-printed-secret", name)
	}

	short := h
	short.Timeout = 300 * time.Millisecond
	start := time.Now()
	_, err := short.Get(ctx, "forks", "ghcr.io")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "timed out after 300ms")
	assert.Less(t, time.Since(start), 3*time.Second)

	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = h.Get(cctx, "forks", "ghcr.io")
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotContains(t, err.Error(), "after 5s", "interrupted, not timed out")
	// The helper's children were killed with it (its group), or one
	// would create this file a second after it started.
	time.Sleep(1500 * time.Millisecond)
	_, statErr := os.Stat(filepath.Join(dir, "child-survived"))
	assert.True(t, os.IsNotExist(statErr))
}

func TestConfigErrorsKeepTheirCause(t *testing.T) {
	_, err := Load(WithLookupEnv(func(k string) (string, bool) { return "/etc/hostname", k == "DOCKER_CONFIG" }), WithHomeDir(t.TempDir()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a directory", "the cause is kept")
	_, err = Load(WithConfigFile("/dev/zero"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a regular file")
}
