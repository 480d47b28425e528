package dockercfg

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/beanswap/beanswap/internal/safefile"
)

// BundleDirs are the directories of a service's own that go into its
// source bundle: configuration files and platform hooks.
var bundleDirs = []string{".ebextensions", ".platform"}

// ReadBundleDir reads dir's .ebextensions/ and .platform/ for a source
// bundle: regular files with their modes (a hook keeps its executable
// bit), a symlink only when it stays inside dir. A missing subdirectory
// is fine; anything else that could not be shipped as Beanstalk would
// read it is an error naming the file: a special file, a link leaving
// dir, a .ebextensions/*.config that is not YAML or JSON, more than
// Beanstalk's 500 MB.
func ReadBundleDir(dir string) ([]BundleFile, error) {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("bundle directory %s: %w", dir, err)
	}
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("bundle directory %s: not a directory", dir)
	}
	var files []BundleFile
	total := 0
	for _, sub := range bundleDirs {
		err := filepath.WalkDir(filepath.Join(root, sub), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p == filepath.Join(root, sub) {
					return fs.SkipDir
				}
				return err
			}
			rel, _ := filepath.Rel(root, p)
			name := filepath.ToSlash(rel)
			if d.IsDir() {
				return nil
			}
			f, err := readBundleFile(root, p, name)
			if err != nil {
				return err
			}
			if total += len(f.Body); total > MaxBundleSize {
				return fmt.Errorf("%s: the files pass Beanstalk's %d MB limit on a source bundle", name, MaxBundleSize>>20)
			}
			files = append(files, f)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("bundle directory %s: %w", dir, err)
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

// readBundleFile reads one file, following a symlink only inside root.
func readBundleFile(root, p, name string) (BundleFile, error) {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return BundleFile{}, fmt.Errorf("%s: %w", name, err)
	}
	if rel, err := filepath.Rel(root, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return BundleFile{}, fmt.Errorf("%s: a link to %s, outside the bundle directory", name, target)
	}
	st, err := os.Stat(target)
	if err != nil {
		return BundleFile{}, fmt.Errorf("%s: %w", name, err)
	}
	if !st.Mode().IsRegular() {
		return BundleFile{}, fmt.Errorf("%s: not a regular file (%s)", name, st.Mode().Type())
	}
	if st.Size() > MaxBundleSize {
		return BundleFile{}, fmt.Errorf("%s: %d MB, more than Beanstalk's %d MB limit on a source bundle", name, st.Size()>>20, MaxBundleSize>>20)
	}
	body, err := safefile.Read(target, MaxBundleSize)
	if err != nil {
		return BundleFile{}, fmt.Errorf("%s: %w", name, err)
	}
	if err := checkEbextension(name, body); err != nil {
		return BundleFile{}, err
	}
	return BundleFile{Name: name, Body: body, Mode: st.Mode().Perm()}, nil
}

// checkEbextension parses a .ebextensions/*.config as Beanstalk will
// (YAML, of which JSON is a part): a broken one fails the deploy only
// after the environment launched.
func checkEbextension(name string, body []byte) error {
	if path.Dir(name) != ".ebextensions" || path.Ext(name) != ".config" {
		return nil
	}
	var doc any
	if err := yaml.Unmarshal(body, &doc); err != nil {
		return fmt.Errorf("%s: not valid YAML or JSON, Beanstalk would fail the deploy on it: %w", name, err)
	}
	if _, ok := doc.(map[string]any); !ok && doc != nil {
		return fmt.Errorf("%s: expected a mapping (option_settings, packages, files, commands, …), got %T", name, doc)
	}
	return nil
}
