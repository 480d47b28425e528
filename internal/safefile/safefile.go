// Package safefile reads the files users name (configurations, Docker
// credentials) without trusting them: a regular file, of bounded size.
// /dev/zero, a FIFO or a directory is an error naming the path, not a
// hang or an unbounded read.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular is wrapped when the path is no regular file.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped when the file is over the limit.
var ErrTooLarge = errors.New("file too large")

// Read reads the regular file at path, at most limit bytes. Errors wrap
// the cause (fs.ErrNotExist, fs.ErrPermission, ErrNotRegular, ErrTooLarge).
func Read(path string, limit int64) ([]byte, error) {
	// Stat first: opening a FIFO would block until a writer comes.
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, kind(st.Mode()))
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: %w (%d bytes, more than %d)", path, ErrTooLarge, st.Size(), limit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Re-check what was opened: the path may have been swapped meanwhile.
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: %w (more than %d bytes)", path, ErrTooLarge, limit)
	}
	return data, nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}
