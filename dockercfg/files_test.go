package dockercfg

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./dockercfg -update to create it")
	assert.Equal(t, string(want), string(got))
}

var (
	hubCreds = Credentials{ServerAddress: DockerHubServer, Username: "alice", Password: secretOf("pa:ss"), Email: "alice@example.com"}
	ghcr     = Credentials{ServerAddress: "ghcr.io", Username: "bob", Password: secretOf("tok")}
	tokenCr  = Credentials{ServerAddress: "registry.example.com", IdentityToken: secretOf("refresh")}
)

func TestAuthFile(t *testing.T) {
	out, err := AuthFile(FormatAuths, ghcr, hubCreds, tokenCr)
	require.NoError(t, err)
	golden(t, "auths.json", out)

	var doc struct {
		Auths map[string]struct{ Auth, IdentityToken string }
	}
	require.NoError(t, json.Unmarshal(out, &doc))
	raw, _ := base64.StdEncoding.DecodeString(doc.Auths[DockerHubServer].Auth)
	assert.Equal(t, "alice:pa:ss", string(raw))

	again, err := AuthFile(FormatAuths, tokenCr, hubCreds, ghcr)
	require.NoError(t, err)
	assert.Equal(t, out, again, "order of input does not change the bytes")

	legacy, err := AuthFile(FormatLegacy, hubCreds)
	require.NoError(t, err)
	golden(t, "legacy.dockercfg", legacy)
}

func TestAuthFileErrors(t *testing.T) {
	tests := map[string]struct {
		format string
		creds  []Credentials
		text   string
	}{
		"nothing":         {FormatAuths, nil, "no credentials to write"},
		"token in legacy": {FormatLegacy, []Credentials{tokenCr}, "cannot hold an identity token"},
		"unknown format":  {"yaml", []Credentials{ghcr}, `unknown format "yaml"`},
		"no server":       {FormatAuths, []Credentials{{Username: "x"}}, "without a server address"},
		"empty creds":     {FormatAuths, []Credentials{{ServerAddress: "x"}}, "credentials are empty"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := AuthFile(tc.format, tc.creds...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.text)
		})
	}
}

func TestDockerrun(t *testing.T) {
	d := NewDockerrun("pymacaron/hello:201801-1-abcdef", 80, &Authentication{Bucket: "hello-docker-cfg", Key: DefaultAuthKey})
	d.Logging = "/var/log/"
	out, err := d.Marshal()
	require.NoError(t, err)
	golden(t, "Dockerrun.aws.json", out)

	full := d
	full.Ports = []DockerrunPort{{ContainerPort: "8080", HostPort: "80"}}
	full.Volumes = []Volume{{HostDirectory: "/var/app/data", ContainerDirectory: "/data"}}
	full.Entrypoint, full.Command = "/app/server", "--port 8080"
	out, err = full.Marshal()
	require.NoError(t, err)
	golden(t, "Dockerrun-full.aws.json", out)

	ecr := NewDockerrun("123456789012.dkr.ecr.eu-west-1.amazonaws.com/hello:1", 8000, nil)
	out, err = ecr.Marshal()
	require.NoError(t, err)
	assert.NotContains(t, string(out), "Authentication")
}

func TestDockerrunValidate(t *testing.T) {
	base := NewDockerrun("user/app:1", 80, nil)
	tests := map[string]struct {
		edit func(*Dockerrun)
		text string
	}{
		"version":    {func(d *Dockerrun) { d.AWSEBDockerrunVersion = "2" }, "only versions 1 (single container) and 3"},
		"image":      {func(d *Dockerrun) { d.Image.Name = "Bad Image" }, "Image.Name"},
		"update":     {func(d *Dockerrun) { d.Image.Update = "yes" }, `Image.Update "yes"`},
		"no ports":   {func(d *Dockerrun) { d.Ports = nil }, "at least one container port"},
		"port range": {func(d *Dockerrun) { d.Ports[0].ContainerPort = "0" }, `Ports[0].ContainerPort "0"`},
		"host port":  {func(d *Dockerrun) { d.Ports[0].HostPort = "x" }, `Ports[0].HostPort "x"`},
		"auth":       {func(d *Dockerrun) { d.Authentication = &Authentication{Bucket: "b"} }, "Bucket and Key"},
		"volume":     {func(d *Dockerrun) { d.Volumes = []Volume{{"data", "/data"}} }, "Volumes[0]"},
		"logging":    {func(d *Dockerrun) { d.Logging = "log" }, `Logging "log"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d := base
			d.Ports = append([]DockerrunPort(nil), base.Ports...)
			tc.edit(&d)
			_, err := d.Marshal()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.text)
		})
	}
}

func TestBundle(t *testing.T) {
	d := NewDockerrun("user/app:1", 80, &Authentication{Bucket: "b-1", Key: DefaultAuthKey})
	extra := map[string][]byte{
		".ebextensions/01-logs.config": []byte("option_settings: []\n"),
		".platform/hooks/x.sh":         []byte("#!/bin/sh\n"),
	}
	zipped, err := Bundle(d, extra)
	require.NoError(t, err)
	again, err := Bundle(d, extra)
	require.NoError(t, err)
	assert.Equal(t, zipped, again, "same input, same bytes")
	golden(t, "bundle.zip", zipped)

	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	require.NoError(t, err)
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		assert.True(t, f.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)), "%s: %v", f.Name, f.Modified)
		if f.Name == DockerrunFile {
			rc, err := f.Open()
			require.NoError(t, err)
			body, _ := io.ReadAll(rc)
			want, _ := d.Marshal()
			assert.Equal(t, want, body)
		}
	}
	assert.Equal(t, []string{".ebextensions/01-logs.config", ".platform/hooks/x.sh", DockerrunFile}, names)

	other := d
	other.Image.Name = "user/app:2"
	changed, err := Bundle(other, extra)
	require.NoError(t, err)
	assert.NotEqual(t, zipped, changed)
}

func TestBundleRejectsBadNames(t *testing.T) {
	d := NewDockerrun("user/app:1", 80, nil)
	for _, name := range []string{"../x", "/etc/passwd", "a/../b", "", DockerrunFile, "a//b"} {
		_, err := Bundle(d, map[string][]byte{name: nil})
		assert.Error(t, err, name)
	}
	_, err := Bundle(Dockerrun{}, nil)
	assert.Error(t, err, "an invalid Dockerrun is not bundled")
}
