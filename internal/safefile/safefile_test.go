package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	require.NoError(t, os.WriteFile(small, []byte("name: x\n"), 0o600))
	big := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(big, make([]byte, 2048), 0o600))
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))

	got, err := Read(small, 1024)
	require.NoError(t, err)
	assert.Equal(t, "name: x\n", string(got))

	tests := map[string]struct {
		path string
		is   error
		msg  string
	}{
		"too large":  {big, ErrTooLarge, "2048 bytes, more than 1024"},
		"device":     {"/dev/zero", ErrNotRegular, "a character device"},
		"named pipe": {fifo, ErrNotRegular, "a named pipe"},
		"directory":  {dir, ErrNotRegular, "a directory"},
		"missing":    {filepath.Join(dir, "nope"), fs.ErrNotExist, "nope"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, err := Read(tc.path, 1024); done <- err }()
			select {
			case err := <-done:
				assert.True(t, errors.Is(err, tc.is), "%v", err)
				assert.ErrorContains(t, err, tc.msg)
			case <-time.After(5 * time.Second):
				t.Fatal("Read hangs")
			}
		})
	}
}
