package beanstalk

import (
	"bytes"
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// BundleKey is where the source bundle of a version is stored in the bucket.
func BundleKey(app, label string) string { return "beanswap/bundles/" + app + "/" + label + ".zip" }

// createApplication creates app; one that exists already (a concurrent
// run made it) is fine.
func (d Deployer) createApplication(ctx context.Context, app, description string) (created bool, err error) {
	_, err = d.EB.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String(app), Description: aws.String(description)})
	if err != nil && !isAlreadyExists(err) {
		return false, fmt.Errorf("create application %s: %w", app, translate(err))
	}
	return err == nil, nil
}

// createVersion uploads bundle and registers it as label. A version of
// that label registered meanwhile (by a concurrent run) is the same one:
// the label holds the bundle's hash.
func (d Deployer) createVersion(ctx context.Context, app, label, bucket string, bundle []byte, description string) (reused bool, err error) {
	key := BundleKey(app, label)
	_, err = d.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:               aws.String(bucket),
		Key:                  aws.String(key),
		Body:                 bytes.NewReader(bundle),
		ContentLength:        aws.Int64(int64(len(bundle))),
		ContentType:          aws.String("application/zip"),
		ServerSideEncryption: s3types.ServerSideEncryptionAes256,
	})
	if err != nil {
		return false, fmt.Errorf("upload source bundle to s3://%s/%s: %w", bucket, key, err)
	}
	d.Info(StepDeploy, fmt.Sprintf("uploaded source bundle s3://%s/%s (%d bytes)", bucket, key, len(bundle)))
	_, err = d.EB.CreateApplicationVersion(ctx, &eb.CreateApplicationVersionInput{
		ApplicationName: aws.String(app),
		VersionLabel:    aws.String(label),
		Description:     aws.String(description),
		SourceBundle:    &types.S3Location{S3Bucket: aws.String(bucket), S3Key: aws.String(key)},
	})
	switch {
	case isAlreadyExists(err):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("create application version %s (bundle s3://%s/%s left in place): %w", label, bucket, key, translate(err))
	}
	return false, nil
}
