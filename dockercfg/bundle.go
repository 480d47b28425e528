package dockercfg

import (
	"archive/zip"
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// bundleTime is the modification time of every file in a bundle: fixed,
// so that the same input always gives the same bytes (and the same
// version can be recognised by its checksum).
var bundleTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Bundle zips the Dockerrun.aws.json and extra files (for example
// ".ebextensions/logs.config") into a source bundle. Files are sorted by
// name and carry a fixed time: the bytes depend only on the input.
func Bundle(d Dockerrun, extra map[string][]byte) ([]byte, error) {
	dockerrun, err := d.Marshal()
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{DockerrunFile: dockerrun}
	for name, body := range extra {
		clean := path.Clean(name)
		if name == "" || clean != name || path.IsAbs(name) || strings.HasPrefix(clean, "../") || clean == ".." {
			return nil, fmt.Errorf("bundle: file name %q must be a clean relative path", name)
		}
		if clean == DockerrunFile {
			return nil, fmt.Errorf("bundle: %s is generated; do not pass it as an extra file", DockerrunFile)
		}
		files[clean] = body
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: bundleTime})
		if err != nil {
			return nil, fmt.Errorf("bundle %s: %w", name, err)
		}
		if _, err := w.Write(files[name]); err != nil {
			return nil, fmt.Errorf("bundle %s: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return buf.Bytes(), nil
}
