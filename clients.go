package beanswap

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/lock"
	"github.com/beanswap/beanswap/notify"
	"github.com/beanswap/beanswap/push"
	"github.com/beanswap/beanswap/swap"
)

// BeanstalkAPI is every Elastic Beanstalk call beanswap makes;
// *elasticbeanstalk.Client satisfies it.
type BeanstalkAPI interface {
	beanstalk.DeployAPI
	beanstalk.PruneAPI
	swap.SwapAPI
}

// S3API is every S3 call beanswap makes; *s3.Client satisfies it.
type S3API interface {
	beanstalk.PutObjectAPI
	lock.S3API
}

// Clients are the AWS clients a pipeline uses. Build them with NewClients
// or set your own (mocks, wrappers).
type Clients struct {
	Beanstalk BeanstalkAPI
	S3        S3API
	// Route53 is used only when aws_zone_id is set.
	Route53 swap.RecordsAPI
	// SNS is used only when notify_sns_topic_arn is set.
	SNS notify.PublishAPI
	// STS tells the deploying account, which must own docker_bucket
	// (unless docker_bucket_owner says otherwise); nil skips the check.
	STS CallerIdentityAPI
	// IAM checks the instance profile exists before a launch; nil skips
	// the check.
	IAM InstanceProfileAPI
	// AutoScaling counts the live environment's instances in service for
	// capacity_parity; nil counts the instances Beanstalk lists.
	AutoScaling beanstalk.GroupsAPI
	// EventBridge and SQS carry Beanstalk's pushed changes when
	// Service.Push is set; nil polls.
	EventBridge push.EventsAPI
	SQS         push.QueueAPI
}

// CallerIdentityAPI is the STS call; *sts.Client satisfies it.
type CallerIdentityAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// NewClients makes the SDK clients from an aws.Config. With a custom
// endpoint (LocalStack, moto, beanstalktest), S3 uses path-style
// addressing, which those need.
func NewClients(cfg aws.Config) Clients {
	custom := cfg.BaseEndpoint != nil
	return Clients{
		Beanstalk: eb.NewFromConfig(cfg),
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.UsePathStyle = custom || o.UsePathStyle
			// Emulators send no checksums; the SDK would log each one.
			o.DisableLogOutputChecksumValidationSkipped = true
		}),
		Route53:     route53.NewFromConfig(cfg),
		SNS:         sns.NewFromConfig(cfg),
		STS:         sts.NewFromConfig(cfg),
		IAM:         iam.NewFromConfig(cfg),
		AutoScaling: autoscaling.NewFromConfig(cfg),
		EventBridge: eventbridge.NewFromConfig(cfg),
		SQS:         sqs.NewFromConfig(cfg),
	}
}

// LoadAWSConfig loads the AWS configuration for c: the profile named by
// aws_user, the region aws_region (else the profile's), and the standard
// environment (AWS_ENDPOINT_URL and friends included).
func LoadAWSConfig(ctx context.Context, c *config.Config) (aws.Config, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if c.AWSProfile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(c.AWSProfile))
	}
	if c.AWSRegion != "" {
		opts = append(opts, awsconfig.WithRegion(c.AWSRegion))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration (profile %q from aws_user): %w", c.AWSProfile, err)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("no AWS region: set aws_region in %s, or a region in profile %q", c.File, c.AWSProfile)
	}
	return cfg, nil
}
