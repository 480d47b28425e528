package config

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse: no input makes Parse panic, an accepted configuration
// validates again, and an error never shows the secret.
func FuzzParse(f *testing.F) {
	seed, err := os.ReadFile("testdata/pym-config.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(minimal))
	f.Add([]byte(minimal + "env_secrets: [S]\naws_hosts_min: 3\naws_hosts_max: 2\n"))
	f.Add([]byte("name: [a\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("aws_option_settings:\n  - {namespace: a, option_name: b, value: c}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	const secret = "fuzz-secret-value"
	lookup := env("S", secret, "HELLO_JWT_SECRET", secret)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.yaml", data, lookup)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			if strings.Contains(err.Error(), secret) && !strings.Contains(string(data), secret) {
				t.Fatalf("secret in error: %v", err)
			}
			return
		}
		if verr := c.Validate(); verr != nil {
			t.Fatalf("accepted configuration does not validate: %v", verr)
		}
	})
}
