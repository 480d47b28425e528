package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// anyEnv answers every env_secrets lookup, and no override.
func anyEnv() Option {
	return WithLookupEnv(func(k string) (string, bool) {
		if strings.HasPrefix(k, EnvPrefix) {
			return "", false
		}
		return "value-of-" + k, true
	})
}

// TestPymacaronConfigsLoadUnchanged loads real pymacaron and
// klue-microservice configurations as their repositories have them.
func TestPymacaronConfigsLoadUnchanged(t *testing.T) {
	files, err := filepath.Glob("testdata/pymacaron/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := Load(f, anyEnv())
			require.NoError(t, err)
			assert.Equal(t, DefaultInstanceProfile, c.InstanceProfile, "pymacaron never set one")
			for _, n := range c.Notes {
				assert.NotContains(t, n.Message, "did you mean")
			}
		})
	}
}

func TestKlueEraAndLiveURL(t *testing.T) {
	c, err := Load("testdata/pymacaron/klue-era.yaml", anyEnv())
	require.NoError(t, err)
	assert.Equal(t, "api.klue.example.com", c.LiveHost)
	noted := map[string]string{}
	for _, n := range c.Notes {
		noted[n.Key] = n.Message
	}
	assert.Contains(t, noted["live_port"], "klue-microservice setting")
	assert.Contains(t, noted["env_jwt_secret"], "application setting")

	c, err = Load("testdata/pymacaron/live-url-only.yaml", anyEnv())
	require.NoError(t, err)
	assert.Equal(t, "shop.example.com", c.LiveHost, "derived from live_url")
	assert.Equal(t, "https://shop.example.com", c.LiveURL)
}

func TestAnchorsAliasesAndMergeKeys(t *testing.T) {
	c, err := Load("testdata/pymacaron/anchors.yaml", anyEnv())
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", c.AWSRegion, "merged from *aws")
	assert.Equal(t, "t3.small", c.InstanceType)
	assert.Equal(t, 3, c.HostsMin, "an explicit key wins over a merged one")
	assert.Equal(t, "api.anchored.example.com", c.LiveHost, "merged from the second mapping")
	assert.Equal(t, []string{"API_KEY"}, c.EnvSecrets, "an alias")

	_, err = Parse("m.yaml", []byte("name: x\n<<: [1, 2]\n"), anyEnv())
	assert.ErrorContains(t, err, "line 2: a << merge key takes a mapping")

	bomb := "a: &a [x, x, x, x, x, x, x, x, x]\n"
	for i := 'b'; i <= 'j'; i++ {
		bomb += string(i) + ": &" + string(i) + " [" + strings.Repeat("*"+string(i-1)+", ", 8) + "*" + string(i-1) + "]\n"
	}
	_, err = Parse("bomb.yaml", []byte(bomb+"name: x\n"), anyEnv())
	assert.Error(t, err, "a billion laughs is refused or bounded, never expanded")
}

func TestSecondDocumentIsRefused(t *testing.T) {
	_, err := Parse("two.yaml", []byte("name: hello\n---\nname: other\n"), anyEnv())
	assert.ErrorContains(t, err, "two.yaml: line 3: a second YAML document (after ---) is not read by beanswap")
	_, err = Parse("one.yaml", []byte("---\nname: hello\nlive_host: api.example.com\ndocker_bucket: hello-docker\n"), anyEnv())
	assert.NoError(t, err, "one document with a leading --- is fine")
}
