package dockercfg

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPublish(t *testing.T) {
	store, err := Parse("config.json", []byte(`{"auths":{"https://index.docker.io/v1/":{"auth":"`+b64("alice:pw")+`"}}}`), false)
	require.NoError(t, err)
	ctx := context.Background()

	f := &fakePut{}
	got, err := Publish(ctx, store, f, PublishInput{Image: "team/app:1", Bucket: "cfg-bucket"})
	require.NoError(t, err)
	assert.Equal(t, &Authentication{Bucket: "cfg-bucket", Key: DefaultAuthKey}, got.Authentication)
	assert.Equal(t, "s3://cfg-bucket/docker/dockercfg", got.Location.String())
	assert.Equal(t, "config.json", got.Source)
	var doc map[string]map[string]map[string]string
	require.NoError(t, json.Unmarshal(f.bodies[0], &doc))
	assert.Equal(t, b64("alice:pw"), doc["auths"][DockerHubServer]["auth"])

	f = &fakePut{}
	got, err = Publish(ctx, store, f, PublishInput{Image: "team/app:1", Bucket: "b", Key: "k/x", Format: FormatLegacy})
	require.NoError(t, err)
	assert.Equal(t, "k/x", got.Location.Key)
	assert.NotContains(t, string(f.bodies[0]), "auths")

	f = &fakePut{}
	got, err = Publish(ctx, store, f, PublishInput{Image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1", Bucket: "b"})
	require.NoError(t, err)
	assert.Nil(t, got.Authentication)
	assert.Contains(t, got.NoAuthReason, "instance profile")
	assert.Empty(t, f.inputs, "nothing uploaded for ECR")

	_, err = Publish(ctx, store, f, PublishInput{Image: "ghcr.io/x/y", Bucket: "b"})
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Contains(t, err.Error(), "publish registry auth for ghcr.io/x/y")

	_, err = Publish(ctx, store, &fakePut{err: errors.New("denied")}, PublishInput{Image: "team/app", Bucket: "b"})
	assert.ErrorContains(t, err, "denied")

	_, err = Publish(ctx, store, f, PublishInput{Image: "team/app"})
	assert.ErrorContains(t, err, "no bucket")
}
