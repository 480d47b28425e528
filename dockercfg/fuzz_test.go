package dockercfg

import (
	"github.com/google/go-containerregistry/pkg/name"

	"context"
	"strings"
	"testing"
)

// FuzzParseConfig: no config file makes the parser or the lookup panic,
// and a lookup error never quotes a password from the file.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"auths":{"https://index.docker.io/v1/":{"auth":"YWxpY2U6c2VjcmV0cHc="}}}`), false, "docker.io")
	f.Add([]byte(`{"auths":{"quay.io":{"username":"u","password":"secretpw"}},"credsStore":"desktop","credHelpers":{"ghcr.io":"x"}}`), false, "quay.io")
	f.Add([]byte(`{"https://index.docker.io/v1/":{"auth":"YWxpY2U6c2VjcmV0cHc=","email":"a@b"}}`), true, "index.docker.io")
	f.Add([]byte(`{"auths":{"":{}}}`), false, "")
	f.Add([]byte(`[`), true, "x")
	helper := &fakeHelper{}
	f.Fuzz(func(t *testing.T, data []byte, legacy bool, registry string) {
		s, err := Parse("config.json", data, legacy, WithHelper(helper))
		if err != nil {
			return
		}
		c, err := s.Credentials(context.Background(), registry)
		if err != nil {
			if strings.Contains(err.Error(), "secretpw") {
				t.Fatalf("error quotes a password: %v", err)
			}
			return
		}
		if c.Username == "" && c.IdentityToken.IsZero() {
			t.Fatalf("empty credentials returned without error")
		}
		if strings.Contains(c.String(), c.Password.Reveal()) && len(c.Password.Reveal()) > 3 && !strings.Contains(c.Username+c.ServerAddress+c.Source, c.Password.Reveal()) {
			t.Fatalf("String shows the password")
		}
		if _, err := AuthFile(FormatAuths, c); err != nil {
			t.Fatalf("credentials found but not writable: %v", err)
		}
	})
}

// FuzzParseReference: parsing never panics and a parsed reference prints
// back to itself.
func FuzzParseReference(f *testing.F) {
	for _, s := range []string{"nginx", "user/app:1.2", "registry.example.com:5000/team/app@sha256:" + strings.Repeat("a", 64), "localhost/x", "[::1]:5000/a", "A/b", "a:b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := ParseReference(s)
		if err != nil {
			return
		}
		again, err := ParseReference(ref.String())
		if err != nil {
			t.Fatalf("%q parsed to %q which does not parse: %v", s, ref.String(), err)
		}
		if again != ref {
			t.Fatalf("%q: %+v then %+v", s, ref, again)
		}
		// The pull check (CheckPull) parses with go-containerregistry: it
		// must accept what we accept, and reach the same repository.
		other, err := name.ParseReference(s)
		if err != nil {
			t.Fatalf("%q parses here but not for go-containerregistry: %v", s, err)
		}
		if got := other.Context().RepositoryStr(); got != ref.Repository {
			t.Fatalf("%q: repository %q here, %q for go-containerregistry", s, ref.Repository, got)
		}
	})
}

// FuzzParseCompose: no docker-compose.yml makes the parser panic, and an
// accepted one always runs the deployed image.
func FuzzParseCompose(f *testing.F) {
	f.Add([]byte("services:\n  web:\n    image: ${BEANSWAP_IMAGE}\n  db:\n    image: postgres:16\n"))
	f.Add([]byte("services:\n  web:\n    build: .\n"))
	f.Add([]byte("x: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := ParseCompose("docker-compose.yml", body)
		if err != nil {
			return
		}
		found := false
		for _, img := range c.Images {
			found = found || img == "${"+ImageVariable+"}" || img == "$"+ImageVariable
		}
		if !found {
			t.Fatalf("accepted without the deployed image: %q", body)
		}
	})
}
