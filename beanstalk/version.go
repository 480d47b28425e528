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

// ensureApplication creates app unless it exists.
func (d *Deployer) ensureApplication(ctx context.Context, app, description string) (created bool, err error) {
	out, err := d.EB.DescribeApplications(ctx, &eb.DescribeApplicationsInput{ApplicationNames: []string{app}})
	if err != nil {
		return false, fmt.Errorf("describe application %s: %w", app, err)
	}
	for _, a := range out.Applications {
		if aws.ToString(a.ApplicationName) == app {
			return false, nil
		}
	}
	_, err = d.EB.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String(app), Description: aws.String(description)})
	if err != nil && !isAlreadyExists(err) {
		return false, fmt.Errorf("create application %s: %w", app, translate(err))
	}
	return err == nil, nil
}

// ensureVersion registers label with bundle, unless a version of that
// label exists: the label holds the bundle's hash, so it is the same one.
func (d *Deployer) ensureVersion(ctx context.Context, app, label, bucket string, bundle []byte, description string) (reused bool, err error) {
	out, err := d.EB.DescribeApplicationVersions(ctx, &eb.DescribeApplicationVersionsInput{ApplicationName: aws.String(app), VersionLabels: []string{label}})
	if err != nil {
		return false, fmt.Errorf("describe version %s: %w", label, err)
	}
	if len(out.ApplicationVersions) > 0 {
		return true, nil
	}
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
	d.info(fmt.Sprintf("uploaded source bundle s3://%s/%s (%d bytes)", bucket, key, len(bundle)))
	_, err = d.EB.CreateApplicationVersion(ctx, &eb.CreateApplicationVersionInput{
		ApplicationName: aws.String(app),
		VersionLabel:    aws.String(label),
		Description:     aws.String(description),
		SourceBundle:    &types.S3Location{S3Bucket: aws.String(bucket), S3Key: aws.String(key)},
	})
	switch {
	case isAlreadyExists(err):
		return true, nil // a concurrent run registered it
	case err != nil:
		return false, fmt.Errorf("create application version %s (bundle s3://%s/%s left in place): %w", label, bucket, key, translate(err))
	}
	return false, nil
}
