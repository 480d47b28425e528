package dockercfg

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakePut records PutObject calls.
type fakePut struct {
	inputs []*s3.PutObjectInput
	bodies [][]byte
	err    error
}

var _ PutObjectAPI = (*fakePut)(nil)

func (f *fakePut) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	body, _ := io.ReadAll(in.Body)
	f.inputs, f.bodies = append(f.inputs, in), append(f.bodies, body)
	if f.err != nil {
		return nil, f.err
	}
	return &s3.PutObjectOutput{VersionId: aws.String("v1")}, nil
}

func TestUpload(t *testing.T) {
	tests := map[string]struct {
		opts  UploadOptions
		check func(t *testing.T, in *s3.PutObjectInput)
	}{
		"default SSE-S3": {check: func(t *testing.T, in *s3.PutObjectInput) {
			assert.Equal(t, types.ServerSideEncryptionAes256, in.ServerSideEncryption)
			assert.Nil(t, in.ExpectedBucketOwner)
			assert.Nil(t, in.SSEKMSKeyId)
		}},
		"bucket owner": {opts: UploadOptions{ExpectedBucketOwner: "123456789012"}, check: func(t *testing.T, in *s3.PutObjectInput) {
			assert.Equal(t, "123456789012", aws.ToString(in.ExpectedBucketOwner))
		}},
		"kms": {opts: UploadOptions{KMSKeyID: "alias/deploy"}, check: func(t *testing.T, in *s3.PutObjectInput) {
			assert.Equal(t, types.ServerSideEncryptionAwsKms, in.ServerSideEncryption)
			assert.Equal(t, "alias/deploy", aws.ToString(in.SSEKMSKeyId))
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := &fakePut{}
			loc, err := Upload(context.Background(), f, "bucket-a", DefaultAuthKey, []byte("{}"), tc.opts)
			require.NoError(t, err)
			assert.Equal(t, Location{Bucket: "bucket-a", Key: "docker/dockercfg", VersionID: "v1"}, loc)
			assert.Equal(t, "s3://bucket-a/docker/dockercfg", loc.String())
			require.Len(t, f.inputs, 1)
			assert.Equal(t, "{}", string(f.bodies[0]))
			assert.Equal(t, "application/json", aws.ToString(f.inputs[0].ContentType))
			tc.check(t, f.inputs[0])
		})
	}
}

func TestUploadError(t *testing.T) {
	denied := errors.New("AccessDenied")
	_, err := Upload(context.Background(), &fakePut{err: denied}, "b", "k", nil, UploadOptions{})
	assert.ErrorIs(t, err, denied)
	assert.Contains(t, err.Error(), "upload s3://b/k")
}
