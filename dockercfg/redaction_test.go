package dockercfg

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCredentialsNeverPrinted prints, marshals and logs credentials and
// every lookup error, and greps for the secrets.
func TestCredentialsNeverPrinted(t *testing.T) {
	const pw, tok = "P4ssw0rd-zz", "T0ken-zz"
	c := Credentials{ServerAddress: "ghcr.io", Username: "u", Password: secretOf(pw), IdentityToken: secretOf(tok), Source: "x"}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		fmt.Fprintf(&out, verb+"\n", c)
		fmt.Fprintf(&out, verb+"\n", &c)
	}
	j, err := json.Marshal(c)
	require.NoError(t, err)
	out.Write(j)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("creds", "c", c)
	slog.New(slog.NewTextHandler(&out, nil)).Info("creds", "c", c)

	configs := []string{
		`{"auths":{"quay.io":{"auth":"` + b64("u:"+pw) + `"}},"credsStore":"desktop"}`,
		`{"auths":{"quay.io":{"auth":"` + pw + `"}}}`,
		`{"auths":{"quay.io":{"password":"` + pw + `"}}}`,
		`{"auths":{"quay.io":{"username":"u","password":"` + pw + `"}}, "x": [` + pw + `]}`,
		`{"auths":{"quay.io":{"identitytoken":"` + tok + `"}}}`,
	}
	for _, cfg := range configs {
		s, err := Parse("config.json", []byte(cfg), false, WithHelper(&fakeHelper{}))
		if err != nil {
			fmt.Fprintln(&out, err)
			continue
		}
		for _, reg := range []string{"quay.io", "ghcr.io"} {
			if _, err := s.Credentials(context.Background(), reg); err != nil {
				fmt.Fprintln(&out, err)
			}
		}
	}
	assert.NotContains(t, out.String(), pw)
	assert.NotContains(t, out.String(), tok)
	assert.Contains(t, out.String(), "[redacted]")
}
