package dockercfg

import (
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/internal/awstest"
)

// TestUploadAuthFileToS3 writes an auth file to a real S3 implementation
// (moto, or AWS_ENDPOINT_URL) and reads it back with its encryption header.
func TestUploadAuthFileToS3(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts moto_server")
	}
	ep := awstest.Start(t)
	client := s3.NewFromConfig(ep.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	bucket := awstest.Bucket(t, client, "beanswap-dockercfg")

	body, err := AuthFile(FormatAuths, hubCreds)
	require.NoError(t, err)
	loc, err := Upload(ctx, client, bucket, DefaultAuthKey, body, UploadOptions{})
	require.NoError(t, err)
	assert.Equal(t, bucket, loc.Bucket)

	got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(DefaultAuthKey)})
	require.NoError(t, err)
	defer got.Body.Close()
	read, err := io.ReadAll(got.Body)
	require.NoError(t, err)
	assert.Equal(t, body, read)
	assert.Equal(t, types.ServerSideEncryptionAes256, got.ServerSideEncryption)
	assert.Equal(t, "application/json", aws.ToString(got.ContentType))
}
