package dockercfg

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeHelper is a recording Helper: answers by helper name and server URL.
type fakeHelper struct {
	answers map[string]Credentials // key "name server"
	err     error
	calls   []string
}

var _ Helper = (*fakeHelper)(nil)

func (f *fakeHelper) Get(_ context.Context, name, server string) (Credentials, error) {
	f.calls = append(f.calls, name+" "+server)
	if f.err != nil {
		return Credentials{}, f.err
	}
	c, ok := f.answers[name+" "+server]
	if !ok {
		return Credentials{}, fmt.Errorf("fake %s: %w", name, ErrNotFound)
	}
	return c, nil
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// home lays out a fake home directory and returns Load options over it.
func home(t *testing.T, files map[string]string, env ...string) []Option {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	}
	vars := map[string]string{}
	for i := 0; i+1 < len(env); i += 2 {
		vars[env[i]] = strings.ReplaceAll(env[i+1], "$HOME", dir)
	}
	return []Option{
		WithHomeDir(dir),
		WithLookupEnv(func(k string) (string, bool) { v, ok := vars[k]; return v, ok }),
	}
}

func TestCredentialsLookupOrder(t *testing.T) {
	helper := &fakeHelper{answers: map[string]Credentials{
		"desktop " + DockerHubServer:   {ServerAddress: DockerHubServer, Username: "hubuser", Password: secretOf("hubpass"), Source: "credential helper desktop"},
		"ecr-login ghcr.io":            {ServerAddress: "ghcr.io", Username: "ghuser", Password: secretOf("ghpass"), Source: "credential helper ecr-login"},
		"desktop registry.example.com": {ServerAddress: "registry.example.com", Username: "<never>", Source: "x"},
	}}
	tests := map[string]struct {
		files    map[string]string
		env      []string
		registry string
		user     string
		password string
		token    string
		source   string
		err      error
		errText  string
	}{
		"auths with auth field": {
			files:    map[string]string{".docker/config.json": `{"auths":{"https://index.docker.io/v1/":{"auth":"` + b64("alice:pw1") + `"}}}`},
			registry: "docker.io", user: "alice", password: "pw1", source: ".docker/config.json",
		},
		"auths with username and password": {
			files:    map[string]string{".docker/config.json": `{"auths":{"registry.example.com:5000":{"username":"bob","password":"pw2"}}}`},
			registry: "registry.example.com:5000", user: "bob", password: "pw2",
		},
		"auths identity token": {
			files:    map[string]string{".docker/config.json": `{"auths":{"registry.example.com":{"identitytoken":"tok"}}}`},
			registry: "registry.example.com", token: "tok",
		},
		"key with scheme and path": {
			files:    map[string]string{".docker/config.json": `{"auths":{"https://registry.example.com/v2/":{"auth":"` + b64("carol:pw3") + `"}}}`},
			registry: "registry.example.com", user: "carol", password: "pw3",
		},
		"docker.io key for hub": {
			files:    map[string]string{".docker/config.json": `{"auths":{"docker.io":{"auth":"` + b64("dan:pw4") + `"}}}`},
			registry: "index.docker.io", user: "dan", password: "pw4",
		},
		"canonical hub key wins over alias": {
			files:    map[string]string{".docker/config.json": `{"auths":{"docker.io":{"auth":"` + b64("alias:x") + `"},"https://index.docker.io/v1/":{"auth":"` + b64("canon:y") + `"}}}`},
			registry: "docker.io", user: "canon", password: "y",
		},
		"credsStore wins over auths": {
			files:    map[string]string{".docker/config.json": `{"credsStore":"desktop","auths":{"https://index.docker.io/v1/":{"auth":"` + b64("inline:x") + `"}}}`},
			registry: "docker.io", user: "hubuser", password: "hubpass", source: "credential helper desktop",
		},
		"credHelpers win over credsStore": {
			files:    map[string]string{".docker/config.json": `{"credsStore":"desktop","credHelpers":{"ghcr.io":"ecr-login"}}`},
			registry: "ghcr.io", user: "ghuser", password: "ghpass", source: "credential helper ecr-login",
		},
		"helper not found is not overridden by inline auth": {
			files:    map[string]string{".docker/config.json": `{"credsStore":"desktop","auths":{"quay.io":{"auth":"` + b64("inline:x") + `"}}}`},
			registry: "quay.io", err: ErrNotFound, errText: `registry quay.io (helper "desktop" configured in`,
		},
		"docker desktop empty entries": {
			files:    map[string]string{".docker/config.json": `{"auths":{"https://index.docker.io/v1/":{}},"credsStore":"desktop"}`},
			registry: "docker.io", user: "hubuser",
		},
		"empty entry without helper": {
			files:    map[string]string{".docker/config.json": `{"auths":{"quay.io":{}}}`},
			registry: "quay.io", err: ErrNotFound, errText: "run docker login quay.io",
		},
		"DOCKER_CONFIG moves the directory": {
			files:    map[string]string{"elsewhere/config.json": `{"auths":{"quay.io":{"auth":"` + b64("erin:pw5") + `"}}}`, ".docker/config.json": `{}`},
			env:      []string{"DOCKER_CONFIG", "$HOME/elsewhere"},
			registry: "quay.io", user: "erin", source: "elsewhere/config.json",
		},
		"DOCKER_AUTH_CONFIG first": {
			files:    map[string]string{".docker/config.json": `{"credsStore":"desktop"}`},
			env:      []string{"DOCKER_AUTH_CONFIG", `{"auths":{"https://index.docker.io/v1/":{"auth":"` + b64("ci:pw6") + `"}}}`},
			registry: "docker.io", user: "ci", password: "pw6", source: "$DOCKER_AUTH_CONFIG",
		},
		"DOCKER_AUTH_CONFIG falls through to the file": {
			files:    map[string]string{".docker/config.json": `{"credHelpers":{"ghcr.io":"ecr-login"}}`},
			env:      []string{"DOCKER_AUTH_CONFIG", `{"auths":{}}`},
			registry: "ghcr.io", user: "ghuser",
		},
		"DOCKER_AUTH_CONFIG alone": {
			env:      []string{"DOCKER_AUTH_CONFIG", `{"auths":{"quay.io":{"auth":"` + b64("ci:pw7") + `"}}}`},
			registry: "quay.io", user: "ci",
		},
		"legacy dockercfg": {
			files:    map[string]string{".dockercfg": `{"https://index.docker.io/v1/":{"auth":"` + b64("old:pw8") + `","email":"old@example.com"}}`},
			registry: "docker.io", user: "old", password: "pw8", source: ".dockercfg",
		},
		"config.json preferred over legacy": {
			files: map[string]string{
				".dockercfg":          `{"https://index.docker.io/v1/":{"auth":"` + b64("old:x") + `"}}`,
				".docker/config.json": `{"auths":{"https://index.docker.io/v1/":{"auth":"` + b64("new:y") + `"}}}`,
			},
			registry: "docker.io", user: "new",
		},
		"password with colon": {
			files:    map[string]string{".docker/config.json": `{"auths":{"quay.io":{"auth":"` + b64("u:p:a:ss") + `"}}}`},
			registry: "quay.io", user: "u", password: "p:a:ss",
		},
		"no entry": {
			files:    map[string]string{".docker/config.json": `{"auths":{"quay.io":{"auth":"` + b64("u:p") + `"}}}`},
			registry: "ghcr.io", err: ErrNotFound, errText: "no credentials for registry ghcr.io in",
		},
		"bad base64": {
			files:    map[string]string{".docker/config.json": `{"auths":{"quay.io":{"auth":"!!!"}}}`},
			registry: "quay.io", errText: `registry quay.io: "auth" is not valid base64`,
		},
		"auth without colon": {
			files:    map[string]string{".docker/config.json": `{"auths":{"quay.io":{"auth":"` + b64("nocolon") + `"}}}`},
			registry: "quay.io", errText: "does not decode to user:password",
		},
		"entry with only a password": {
			files:    map[string]string{".docker/config.json": `{"auths":{"quay.io":{"password":"x"}}}`},
			registry: "quay.io", errText: "neither auth, username nor identitytoken",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			helper.calls = nil
			opts := append(home(t, tc.files, tc.env...), WithHelper(helper))
			s, err := Load(opts...)
			require.NoError(t, err)
			c, err := s.Credentials(context.Background(), tc.registry)
			if tc.err != nil || tc.errText != "" {
				require.Error(t, err)
				if tc.err != nil {
					assert.ErrorIs(t, err, tc.err)
				}
				assert.Contains(t, err.Error(), tc.errText)
				assert.NotContains(t, err.Error(), "inline:x")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.user, c.Username)
			if tc.password != "" {
				assert.Equal(t, tc.password, c.Password.Reveal())
			}
			assert.Equal(t, tc.token, c.IdentityToken.Reveal())
			assert.Contains(t, c.Source, tc.source)
			assert.Equal(t, ServerAddress(tc.registry), c.ServerAddress)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := map[string]struct {
		files map[string]string
		env   []string
		opts  []Option
		is    error
		text  string
	}{
		"nothing anywhere": {is: ErrNoConfig, text: ".docker/config.json, "},
		"malformed json":   {files: map[string]string{".docker/config.json": "{\n\"auths\": {,}\n}"}, text: "config.json: malformed JSON: invalid character ',' looking for beginning of object key string (line 2)"},
		"wrong type":       {files: map[string]string{".docker/config.json": `{"auths": []}`}, text: `malformed JSON: wrong type for "auths" (line 1)`},
		"malformed legacy": {files: map[string]string{".dockercfg": "[1]"}, text: ".dockercfg: malformed legacy .dockercfg JSON"},
		"bad env config":   {env: []string{"DOCKER_AUTH_CONFIG", "{"}, text: "docker config $DOCKER_AUTH_CONFIG: malformed JSON"},
		"explicit missing": {opts: []Option{WithConfigFile("/nonexistent/config.json")}, text: "/nonexistent/config.json"},
		"unreadable":       {files: map[string]string{".docker/config.json/x": "dir, not file"}, text: "cannot be read"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Load(append(home(t, tc.files, tc.env...), tc.opts...)...)
			require.Error(t, err)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			assert.Contains(t, err.Error(), tc.text)
		})
	}
}

func TestEmptyConfigFile(t *testing.T) {
	s, err := Load(home(t, map[string]string{".docker/config.json": ""})...)
	require.NoError(t, err)
	_, err = s.Credentials(context.Background(), "docker.io")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Contains(t, err.Error(), "(run docker login)")
}

func TestForImage(t *testing.T) {
	s, err := Parse("config.json", []byte(`{"auths":{"registry.example.com:5000":{"auth":"`+b64("u:p")+`"}}}`), false)
	require.NoError(t, err)
	ctx := context.Background()

	ref, c, err := s.ForImage(ctx, "registry.example.com:5000/team/app:1")
	require.NoError(t, err)
	assert.Equal(t, "team/app", ref.Repository)
	assert.Equal(t, "u", c.Username)

	ref, _, err = s.ForImage(ctx, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1")
	assert.ErrorIs(t, err, ErrNoAuthNeeded)
	assert.Contains(t, err.Error(), "instance profile")
	assert.Equal(t, "app", ref.Repository)

	_, _, err = s.ForImage(ctx, "Bad/Ref")
	assert.ErrorIs(t, err, ErrInvalidReference)

	_, _, err = s.ForImage(ctx, "user/app")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestHelperErrorsPropagate(t *testing.T) {
	boom := errors.New("boom")
	s, err := Parse("config.json", []byte(`{"credsStore":"pass"}`), false, WithHelper(&fakeHelper{err: boom}))
	require.NoError(t, err)
	_, err = s.Credentials(context.Background(), "quay.io")
	assert.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), `registry quay.io (helper "pass" configured in config.json)`)
	assert.Equal(t, []string{"config.json"}, s.Sources())
}
