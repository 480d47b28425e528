package secret

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestScrubber(t *testing.T) {
	s := NewScrubber(New("hunter2-pw"), New("ab")) // too short to scrub
	s.Add(New(`quo"te`))
	text := fmt.Sprintf("pw hunter2-pw b64 %s raw %s url %s json %q ab",
		base64.StdEncoding.EncodeToString([]byte("hunter2-pw")),
		base64.RawStdEncoding.EncodeToString([]byte("hunter2-pw")),
		base64.URLEncoding.EncodeToString([]byte("hunter2-pw")),
		`quo"te`)
	got := s.String(text)
	assert.NotContains(t, got, "hunter2")
	assert.NotContains(t, got, base64.StdEncoding.EncodeToString([]byte("hunter2-pw")))
	assert.NotContains(t, got, `quo\"te`)
	assert.Contains(t, got, "ab", "short values are left alone")

	err := s.Error(fmt.Errorf("login with hunter2-pw: %w", fs.ErrPermission))
	assert.Equal(t, "login with [redacted]: permission denied", err.Error())
	assert.True(t, errors.Is(err, fs.ErrPermission), "the chain is kept")
	assert.NoError(t, s.Error(nil))

	var zero *Scrubber
	assert.Equal(t, "hunter2-pw", zero.String("hunter2-pw"))

	var buf bytes.Buffer
	log := slog.New(s.Handler(slog.NewTextHandler(&buf, nil))).With("token", "hunter2-pw")
	log.Info("using hunter2-pw", "err", errors.New("bad hunter2-pw"), slog.Group("g", "v", "hunter2-pw"))
	assert.NotContains(t, buf.String(), "hunter2")
	assert.Contains(t, buf.String(), "[redacted]")
}
