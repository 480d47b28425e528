package dockercfg

import (
	"bytes"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// DefaultAuthKey is where pymacaron (and beanswap) keep the auth file in
// the docker bucket.
const DefaultAuthKey = "docker/dockercfg"

// PutObjectAPI is the S3 call Upload makes; *s3.Client satisfies it.
type PutObjectAPI interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// Location is an object written to S3.
type Location struct {
	Bucket    string
	Key       string
	VersionID string
}

func (l Location) String() string { return "s3://" + l.Bucket + "/" + l.Key }

// UploadOptions tune Upload. The zero value writes with SSE-S3 (AES256).
type UploadOptions struct {
	// ExpectedBucketOwner is the account that must own the bucket; when
	// known it guards against writing credentials to someone else's bucket.
	ExpectedBucketOwner string
	// KMSKeyID switches encryption to SSE-KMS with this key.
	KMSKeyID string
}

// Upload writes an auth file (or any private object) to bucket/key,
// encrypted at rest, and reports where it went.
func Upload(ctx context.Context, client PutObjectAPI, bucket, key string, body []byte, opts UploadOptions) (Location, error) {
	in := &s3.PutObjectInput{
		Bucket:               aws.String(bucket),
		Key:                  aws.String(key),
		Body:                 bytes.NewReader(body),
		ContentLength:        aws.Int64(int64(len(body))),
		ContentType:          aws.String("application/json"),
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	}
	if opts.KMSKeyID != "" {
		in.ServerSideEncryption = types.ServerSideEncryptionAwsKms
		in.SSEKMSKeyId = aws.String(opts.KMSKeyID)
	}
	if opts.ExpectedBucketOwner != "" {
		in.ExpectedBucketOwner = aws.String(opts.ExpectedBucketOwner)
	}
	out, err := client.PutObject(ctx, in)
	if err != nil {
		return Location{}, fmt.Errorf("upload s3://%s/%s: %w", bucket, key, err)
	}
	return Location{Bucket: bucket, Key: key, VersionID: aws.ToString(out.VersionId)}, nil
}
