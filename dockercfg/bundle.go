package dockercfg

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// bundleTime is the modification time of every file in a bundle: fixed,
// so that the same input always gives the same bytes (and the same
// version can be recognised by its checksum).
var bundleTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// MaxBundleSize is Elastic Beanstalk's limit on a source bundle.
const MaxBundleSize = 500 << 20

// ComposeFile is the name the Docker platform looks for when a bundle
// runs several containers with Docker Compose.
const ComposeFile = "docker-compose.yml"

// BundleFile is a file of a source bundle beside its Dockerrun.aws.json:
// .ebextensions/ configuration, .platform/ hooks.
type BundleFile struct {
	// Name is slash-separated and relative to the bundle's root.
	Name string
	Body []byte
	// Mode holds the permission bits; 0 means 0644. Hooks must keep
	// their executable bit or the platform skips them.
	Mode fs.FileMode
}

// Source is what a source bundle holds.
type Source struct {
	// Dockerrun is the Dockerrun.aws.json: version 1 for one image,
	// version 3 (authentication only) beside a Compose file; nil for a
	// Compose file whose images need no credentials.
	Dockerrun *Dockerrun
	// Compose is the docker-compose.yml; nil for a single image.
	Compose []byte
	// Files go in as they are.
	Files []BundleFile
}

// Bundle zips the Dockerrun.aws.json and extra files (for example
// ".ebextensions/logs.config") into a source bundle. Files are sorted by
// name and carry a fixed time: the bytes depend only on the input.
func Bundle(d Dockerrun, extra map[string][]byte) ([]byte, error) {
	src := Source{Dockerrun: &d}
	for name, body := range extra {
		src.Files = append(src.Files, BundleFile{Name: name, Body: body})
	}
	return src.Zip()
}

// Zip builds the bundle: sorted names, a fixed time and the files'
// modes, so that the bytes depend only on the input.
func (s Source) Zip() ([]byte, error) {
	type entry struct {
		body []byte
		mode fs.FileMode
	}
	files := map[string]entry{}
	if s.Dockerrun != nil {
		dockerrun, err := s.Dockerrun.Marshal()
		if err != nil {
			return nil, err
		}
		files[DockerrunFile] = entry{dockerrun, 0o644}
	}
	if s.Compose != nil {
		files[ComposeFile] = entry{s.Compose, 0o644}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("bundle: neither %s nor %s: Beanstalk would have nothing to run", DockerrunFile, ComposeFile)
	}
	total := 0
	for _, f := range s.Files {
		clean := path.Clean(f.Name)
		if f.Name == "" || clean != f.Name || path.IsAbs(f.Name) || strings.HasPrefix(clean, "../") || clean == ".." {
			return nil, fmt.Errorf("bundle: file name %q must be a clean relative path", f.Name)
		}
		if clean == DockerrunFile || clean == ComposeFile {
			return nil, fmt.Errorf("bundle: %s is generated; do not pass it as an extra file", clean)
		}
		if _, dup := files[clean]; dup {
			return nil, fmt.Errorf("bundle: %s given twice", clean)
		}
		mode := f.Mode.Perm()
		if mode == 0 {
			mode = 0o644
		}
		files[clean] = entry{f.Body, mode}
		total += len(f.Body)
	}
	if total > MaxBundleSize {
		return nil, fmt.Errorf("bundle: %d MB of files, more than Beanstalk's %d MB limit on a source bundle", total>>20, MaxBundleSize>>20)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: bundleTime}
		h.SetMode(files[name].mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, fmt.Errorf("bundle %s: %w", name, err)
		}
		if _, err := w.Write(files[name].body); err != nil {
			return nil, fmt.Errorf("bundle %s: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if buf.Len() > MaxBundleSize {
		return nil, fmt.Errorf("bundle: %d MB zipped, more than Beanstalk's %d MB limit on a source bundle", buf.Len()>>20, MaxBundleSize>>20)
	}
	return buf.Bytes(), nil
}
