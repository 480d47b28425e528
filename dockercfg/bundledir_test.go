package dockercfg

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serviceDir is a service's directory with configuration files and hooks.
func serviceDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, body string, mode fs.FileMode) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), mode))
		require.NoError(t, os.Chmod(p, mode)) // past the umask
	}
	write(".ebextensions/01-nginx.config", "option_settings:\n  aws:elasticbeanstalk:environment:proxy:\n    ProxyServer: nginx\n", 0o644)
	write(".platform/nginx/conf.d/timeouts.conf", "proxy_read_timeout 120s;\n", 0o644)
	write(".platform/hooks/prebuild/01-packages.sh", "#!/bin/sh\ndnf install -y jq\n", 0o755)
	write("src/main.go", "package main\n", 0o644) // not shipped
	return dir
}

func TestReadBundleDir(t *testing.T) {
	dir := serviceDir(t)
	files, err := ReadBundleDir(dir)
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{".ebextensions/01-nginx.config", ".platform/hooks/prebuild/01-packages.sh", ".platform/nginx/conf.d/timeouts.conf"}, names)

	d := NewDockerrun("user/app:1", 80, nil)
	zipped, err := Source{Dockerrun: &d, Files: files}.Zip()
	require.NoError(t, err)
	again, err := Source{Dockerrun: &d, Files: files}.Zip()
	require.NoError(t, err)
	assert.Equal(t, zipped, again, "same input, same bytes")
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	require.NoError(t, err)
	modes := map[string]fs.FileMode{}
	for _, f := range zr.File {
		modes[f.Name] = f.Mode().Perm()
	}
	assert.Equal(t, fs.FileMode(0o755), modes[".platform/hooks/prebuild/01-packages.sh"], "a hook keeps its executable bit")
	assert.Equal(t, fs.FileMode(0o644), modes[".ebextensions/01-nginx.config"])
	assert.Equal(t, fs.FileMode(0o644), modes[DockerrunFile])

	empty, err := ReadBundleDir(t.TempDir())
	require.NoError(t, err)
	assert.Empty(t, empty, "no .ebextensions nor .platform: nothing to add")
}

func TestReadBundleDirRefuses(t *testing.T) {
	tests := map[string]struct {
		setup func(t *testing.T, dir string)
		want  string
	}{
		"link outside": {func(t *testing.T, dir string) {
			outside := filepath.Join(t.TempDir(), "secrets.env")
			require.NoError(t, os.WriteFile(outside, []byte("TOKEN=x"), 0o600))
			require.NoError(t, os.Symlink(outside, filepath.Join(dir, ".platform", "hooks", "prebuild", "env")))
		}, ".platform/hooks/prebuild/env: a link to"},
		"fifo": {func(t *testing.T, dir string) {
			require.NoError(t, syscall.Mkfifo(filepath.Join(dir, ".ebextensions", "pipe.config"), 0o644))
		}, ".ebextensions/pipe.config: not a regular file"},
		"bad yaml": {func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, ".ebextensions", "02-bad.config"), []byte("option_settings:\n  - [unclosed\n"), 0o644))
		}, ".ebextensions/02-bad.config: not valid YAML or JSON"},
		"not a mapping": {func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, ".ebextensions", "03-list.config"), []byte("- a\n"), 0o644))
		}, ".ebextensions/03-list.config: expected a mapping"},
		"not a directory": {func(t *testing.T, dir string) {
			require.NoError(t, os.RemoveAll(dir))
			require.NoError(t, os.WriteFile(dir, nil, 0o644))
		}, "not a directory"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := serviceDir(t)
			tc.setup(t, dir)
			_, err := ReadBundleDir(dir)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	t.Run("link inside", func(t *testing.T) {
		dir := serviceDir(t)
		require.NoError(t, os.Symlink("01-nginx.config", filepath.Join(dir, ".ebextensions", "02-same.config")))
		files, err := ReadBundleDir(dir)
		require.NoError(t, err)
		assert.Len(t, files, 4)
	})
}

func TestSourceLimits(t *testing.T) {
	_, err := Source{}.Zip()
	assert.ErrorContains(t, err, "nothing to run")
	big := Source{Compose: []byte("services: {}\n"), Files: []BundleFile{{Name: "big.bin", Body: make([]byte, MaxBundleSize+1)}}}
	_, err = big.Zip()
	assert.ErrorContains(t, err, "500 MB limit")
	d := NewDockerrun("user/app:1", 80, nil)
	_, err = Source{Dockerrun: &d, Files: []BundleFile{{Name: DockerrunFile, Body: nil}}}.Zip()
	assert.ErrorContains(t, err, "is generated")
}

func TestComposeBundle(t *testing.T) {
	compose := []byte("services:\n  web:\n    image: ${BEANSWAP_IMAGE}\n    ports: [\"80:8080\"]\n    env_file: [.env]\n  cache:\n    image: redis:7\n")
	c, err := ParseCompose("docker-compose.yml", compose)
	require.NoError(t, err)
	assert.Equal(t, []string{"redis:7"}, c.Pinned())

	v3 := NewDockerrunV3(Authentication{Bucket: "b-1", Key: DefaultAuthKey})
	zipped, err := Source{Dockerrun: &v3, Compose: compose}.Zip()
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	require.NoError(t, err)
	require.Len(t, zr.File, 2)
	assert.Equal(t, DockerrunFile, zr.File[0].Name)
	assert.Equal(t, ComposeFile, zr.File[1].Name)
	rc, err := zr.File[0].Open()
	require.NoError(t, err)
	var b bytes.Buffer
	_, _ = b.ReadFrom(rc)
	assert.JSONEq(t, `{"AWSEBDockerrunVersion":"3","Authentication":{"bucket":"b-1","key":"`+DefaultAuthKey+`"}}`, b.String())

	_, err = (Dockerrun{AWSEBDockerrunVersion: "3"}).Marshal()
	assert.ErrorContains(t, err, "bucket and key are required")
	withImage := NewDockerrunV3(Authentication{Bucket: "b", Key: "k"})
	withImage.Image.Name = "x"
	_, err = withImage.Marshal()
	assert.ErrorContains(t, err, "belong in docker-compose.yml")

	for name, tc := range map[string]struct{ body, want string }{
		"no services":  {"version: '3'\n", "no services"},
		"build":        {"services:\n  web:\n    build: .\n", "build is not supported"},
		"no image":     {"services:\n  web:\n    ports: [\"80:80\"]\n", "service web: no image"},
		"not deployed": {"services:\n  web:\n    image: team/web:1\n", "no service runs the image being deployed"},
		"not yaml":     {"services: [\n", "docker-compose.yml"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseCompose("docker-compose.yml", []byte(tc.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
