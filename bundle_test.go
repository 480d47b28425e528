package beanswap

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
)

// serviceFiles writes a service's own bundle files into a directory.
func serviceFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		mode := fs.FileMode(0o644)
		if filepath.Ext(name) == ".sh" {
			mode = 0o755
		}
		require.NoError(t, os.WriteFile(p, []byte(body), mode))
		require.NoError(t, os.Chmod(p, mode))
	}
	return dir
}

// bundleOf downloads a version's bundle from the simulator's S3.
func (h *harness) bundleOf(version string) map[string]*zip.File {
	h.t.Helper()
	out, err := s3.NewFromConfig(h.sim.Config(), func(o *s3.Options) { o.UsePathStyle = true }).GetObject(context.Background(),
		&s3.GetObjectInput{Bucket: aws.String("hello-docker"), Key: aws.String(beanstalk.BundleKey("hello", version))})
	require.NoError(h.t, err)
	body, err := io.ReadAll(out.Body)
	require.NoError(h.t, err)
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	require.NoError(h.t, err)
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	return files
}

func read(t *testing.T, f *zip.File) string {
	rc, err := f.Open()
	require.NoError(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return string(b)
}

const composeFile = `services:
  web:
    image: ${BEANSWAP_IMAGE}
    ports: ["80:80"]
    env_file: [.env]
  cache:
    image: public.example.com/library/redis:7
`

// TestServiceBundleFiles deploys a service with its own .ebextensions,
// a .platform hook and a docker-compose.yml: they reach the bundle as
// they are (the hook still executable), beside a version-3
// Dockerrun.aws.json locating the auth file, and the environment runs.
func TestServiceBundleFiles(t *testing.T) {
	dir := serviceFiles(t, map[string]string{
		".ebextensions/01-timeouts.config":       "option_settings:\n  aws:elasticbeanstalk:command:\n    Timeout: 900\n",
		".platform/hooks/prebuild/01-warm.sh":    "#!/bin/sh\necho warming\n",
		".platform/nginx/conf.d/client_max.conf": "client_max_body_size 20M;\n",
		"docker-compose.yml":                     composeFile,
	})
	h := newHarness(t, func(c *config.Config) {
		c.BundleDir, c.DockerCompose = dir, filepath.Join(dir, "docker-compose.yml")
	})
	pushImage(t, h.sim, "public.example.com/library/redis:7")
	r, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	assert.Equal(t, r.Version, h.liveVersion())

	files := h.bundleOf(r.Version)
	require.Contains(t, files, ".platform/hooks/prebuild/01-warm.sh")
	assert.Equal(t, fs.FileMode(0o755), files[".platform/hooks/prebuild/01-warm.sh"].Mode().Perm(), "the hook stays executable")
	assert.Contains(t, files, ".ebextensions/01-timeouts.config")
	assert.Contains(t, files, ".platform/nginx/conf.d/client_max.conf")
	assert.Equal(t, composeFile, read(t, files[dockercfg.ComposeFile]))
	var dr map[string]any
	require.NoError(t, json.Unmarshal([]byte(read(t, files[dockercfg.DockerrunFile])), &dr))
	assert.Equal(t, "3", dr["AWSEBDockerrunVersion"])
	assert.Equal(t, map[string]any{"bucket": "hello-docker", "key": dockercfg.DefaultAuthKey}, dr["Authentication"])
	assert.NotContains(t, files, "src")
}

// TestServiceBundleFilesCheckedFirst: a broken configuration file or a
// compose image that cannot be pulled stops the deploy in the preflight,
// before anything changes.
func TestServiceBundleFilesCheckedFirst(t *testing.T) {
	tests := map[string]struct {
		files map[string]string
		want  string
	}{
		"broken config":     {map[string]string{".ebextensions/02-bad.config": "option_settings:\n  - [oops\n"}, "bundle_dir: bundle directory"},
		"missing image":     {map[string]string{"docker-compose.yml": composeFile}, "public.example.com/library/redis:7"},
		"no deployed image": {map[string]string{"docker-compose.yml": "services:\n  web:\n    image: team/web:1\n"}, "no service runs the image being deployed"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := serviceFiles(t, tc.files)
			h := newHarness(t, func(c *config.Config) {
				c.BundleDir = dir
				if _, ok := tc.files["docker-compose.yml"]; ok {
					c.DockerCompose = filepath.Join(dir, "docker-compose.yml")
				}
			})
			_, err := h.deploy("registry.example.com/team/hello:1.0.0")
			require.Error(t, err)
			assert.Contains(t, err.Error(), StepPreflight+": ")
			assert.Contains(t, err.Error(), tc.want)
			for action, n := range h.sim.Calls() {
				if n > 0 {
					assert.NotRegexp(t, `^(Create|Terminate|Update|Delete|Swap)`, action)
				}
			}
		})
	}
}
