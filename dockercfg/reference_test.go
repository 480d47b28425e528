package dockercfg

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseReference(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	tests := map[string]Reference{
		"nginx":                           {Registry: DockerHub, Repository: "library/nginx"},
		"nginx:1.25":                      {Registry: DockerHub, Repository: "library/nginx", Tag: "1.25"},
		"user/app:1.2":                    {Registry: DockerHub, Repository: "user/app", Tag: "1.2"},
		"docker.io/user/app":              {Registry: DockerHub, Repository: "user/app"},
		"index.docker.io/library/redis:7": {Registry: DockerHub, Repository: "library/redis", Tag: "7"},
		"docker.io/nginx":                 {Registry: DockerHub, Repository: "library/nginx"},
		"registry.example.com:5000/team/app@" + digest:    {Registry: "registry.example.com:5000", Repository: "team/app", Digest: digest},
		"registry.example.com:5000/team/app:v1@" + digest: {Registry: "registry.example.com:5000", Repository: "team/app", Tag: "v1", Digest: digest},
		"localhost/app":                                       {Registry: "localhost", Repository: "app"},
		"localhost:5000/a/b/c:latest":                         {Registry: "localhost:5000", Repository: "a/b/c", Tag: "latest"},
		"Registry.Example.COM/app":                            {Registry: "registry.example.com", Repository: "app"},
		"ghcr.io/org/my_app-x.y__z:t_1":                       {Registry: "ghcr.io", Repository: "org/my_app-x.y__z", Tag: "t_1"},
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com/svc:42": {Registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", Repository: "svc", Tag: "42"},
		"[::1]:5000/app":                                      {Registry: "[::1]:5000", Repository: "app"},
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			got, err := ParseReference(in)
			require.NoError(t, err)
			assert.Equal(t, want, got)
			again, err := ParseReference(got.String())
			require.NoError(t, err, "String() must parse back")
			assert.Equal(t, got, again)
		})
	}
}

func TestParseReferenceErrors(t *testing.T) {
	tests := map[string]string{
		"":                                       "empty",
		" nginx":                                 "spaces",
		"User/App":                               `"User" must be lowercase`,
		"nginx:":                                 "tag must be",
		"nginx:-x":                               "tag must be",
		"nginx:" + strings.Repeat("a", 129):      "tag must be",
		"nginx@sha256:abc":                       "digest must look like",
		"nginx@md5":                              "digest must look like",
		"registry.example.com/":                  "no repository",
		"a//b":                                   `path component ""`,
		"bad_host.com:x/app":                     "is not a host[:port]",
		"[0]:0/app":                              "is not a host[:port]",
		"[1.2.3.4]/app":                          "is not a host[:port]",
		"app@sha512:" + strings.Repeat("a", 128): "digest must look like",
		"app/-x":                                 `"-x"`,
		strings.Repeat("a/", 300):                "too long",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			_, err := ParseReference(in)
			require.ErrorIs(t, err, ErrInvalidReference)
			assert.Contains(t, err.Error(), want)
		})
	}
}

func TestNeedsNoAuth(t *testing.T) {
	tests := map[string]string{
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com/svc:1":        "Amazon ECR (eu-west-1)",
		"123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/svc":     "Amazon ECR (us-east-1)",
		"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/svc":      "Amazon ECR (cn-north-1)",
		"public.ecr.aws/nginx/nginx:latest":                         "ECR Public",
		"user/app":                                                  "",
		"12345.dkr.ecr.eu-west-1.amazonaws.com/svc":                 "",
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.com/svc": "",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			ref, err := ParseReference(in)
			require.NoError(t, err)
			reason, ok := ref.NeedsNoAuth()
			assert.Equal(t, want != "", ok)
			assert.Contains(t, reason, want)
		})
	}
}

func TestNormalizeRegistry(t *testing.T) {
	tests := map[string]string{
		"https://index.docker.io/v1/":     DockerHub,
		"docker.io":                       DockerHub,
		"index.docker.io":                 DockerHub,
		"registry-1.docker.io":            DockerHub,
		"http://registry.example.com/v2/": "registry.example.com",
		"Registry.Example.com:5000":       "registry.example.com:5000",
		"ghcr.io":                         "ghcr.io",
		"https://ghcr.io":                 "ghcr.io",
	}
	for in, want := range tests {
		assert.Equal(t, want, NormalizeRegistry(in), in)
	}
	assert.Equal(t, DockerHubServer, ServerAddress("docker.io"))
	assert.Equal(t, "ghcr.io", ServerAddress("https://ghcr.io/"))
}
