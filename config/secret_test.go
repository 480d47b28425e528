package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/beanswap/beanswap/secret"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const secretValue = "TOPSECRET-4f9a"

// TestSecretNeverPrinted formats, marshals and logs a loaded configuration
// and its secrets every way a caller might, and greps the output.
func TestSecretNeverPrinted(t *testing.T) {
	body := minimal + "env_secrets: [API_TOKEN]\njwt_secret: " + secretValue + "\n"
	c, err := Parse("f.yaml", []byte(body), env("API_TOKEN", secretValue))
	require.NoError(t, err)
	s := c.Secrets["API_TOKEN"]
	require.Equal(t, secretValue, s.Reveal())
	secrets := c.Spec().Environment.Secrets

	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%10.3s", "%T %v"} {
		for _, arg := range []any{s, &s, c, *c, c.Secrets, secrets, []secret.Value{s}, struct{ S secret.Value }{s}} {
			fmt.Fprintf(&out, verb+"\n", arg)
		}
	}
	for _, n := range c.Notes {
		out.WriteString(n.String() + "\n")
	}
	for _, arg := range []any{s, c, c.Secrets} {
		j, err := json.Marshal(arg)
		require.NoError(t, err)
		out.Write(j)
	}
	text, _ := s.MarshalText()
	out.Write(text)
	for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
		log := slog.New(h)
		log.Info("loaded", "config", c, "secret", s, "secrets", c.Secrets, slog.Any("ptr", &s))
	}

	require.NotEmpty(t, out.String())
	assert.NotContains(t, out.String(), secretValue)
	assert.Contains(t, out.String(), "[redacted]")
}

// TestSecretNotInErrors makes every kind of problem while a secret is set,
// including the secret pasted into a deploy key, and greps the error.
func TestSecretNotInErrors(t *testing.T) {
	bodies := []string{
		minimal + "env_secrets: [API_TOKEN, MISSING]\n",
		minimal + "env_secrets: [API_TOKEN]\naws_hosts_min: " + secretValue + "\n",
		minimal + "env_secrets: [API_TOKEN]\naws_region: " + secretValue + "\nlive_url: " + secretValue + "\n",
		"env_secrets: [API_TOKEN]\njwt_secret: " + secretValue + "\nnmae: " + secretValue + "\n",
		"env_secrets: [API_TOKEN]\nname: [" + secretValue + "]\n",
	}
	for i, body := range bodies {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			_, err := Parse("f.yaml", []byte(body), env("API_TOKEN", secretValue), Strict())
			require.Error(t, err)
			var b strings.Builder
			fmt.Fprintf(&b, "%v %+v %#v %s", err, err, err, err)
			assert.NotContains(t, b.String(), secretValue)
		})
	}
}
