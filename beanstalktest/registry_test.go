package beanstalktest

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRegistryDecidesTheLaunch: an image missing from a simulated
// registry, or one the auth file's credentials cannot pull, fails the
// launch as it would on AWS; a pushed one, with the right credentials,
// launches.
func TestRegistryDecidesTheLaunch(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := context.Background()
	f.s.RequireRegistryAuth("registry.example.com", "deploy", "pw")
	require.NoError(t, f.s.PushImage(ctx, "registry.example.com/team/hello:1.0"))

	put := func(key, body string) {
		_, err := f.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
		require.NoError(t, err)
	}
	good := `{"auths":{"registry.example.com":{"auth":"` + base64.StdEncoding.EncodeToString([]byte("deploy:pw")) + `"}}}`
	bad := `{"auths":{"registry.example.com":{"auth":"` + base64.StdEncoding.EncodeToString([]byte("deploy:wrong")) + `"}}}`
	put("auth/good", good)
	put("auth/bad", bad)
	dockerrun := func(image, authKey string) map[string]string {
		return map[string]string{"Dockerrun.aws.json": `{"AWSEBDockerrunVersion":"1","Image":{"Name":"` + image + `"},"Ports":[{"ContainerPort":"80"}],"Authentication":{"Bucket":"` + bucket + `","Key":"` + authKey + `"}}`}
	}
	f.version("pushed", dockerrun("registry.example.com/team/hello:1.0", "auth/good"))
	f.version("missing", dockerrun("registry.example.com/team/hello:9.9", "auth/good"))
	f.version("wrong-creds", dockerrun("registry.example.com/team/hello:1.0", "auth/bad"))
	f.create("hello-ok", "pushed", "")
	f.create("hello-missing", "missing", "")
	f.create("hello-denied", "wrong-creds", "")
	f.clock.Advance(6 * 60e9)
	assert.Equal(t, "Green", string(f.env("hello-ok").Health))
	assert.Equal(t, "Red", string(f.env("hello-missing").Health))
	assert.Contains(t, f.events("hello-missing"), "ERROR Failed to pull Docker image registry.example.com/team/hello:9.9: Error response from daemon: manifest for registry.example.com/team/hello:9.9 not found: manifest unknown: manifest unknown. Check that the source image exists and that you have permission to access it.")
	assert.Equal(t, "Red", string(f.env("hello-denied").Health))

	// The registry answers the HTTP client too, as it answers docker.
	req, _ := http.NewRequest(http.MethodGet, "https://registry.example.com/v2/", nil)
	resp, err := f.s.HTTPClient().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
