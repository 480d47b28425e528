package beanstalk

import (
	"context"

	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// MonitorAPI is what the Monitor polls with; *elasticbeanstalk.Client
// satisfies it, as it does every interface here.
type MonitorAPI interface {
	DescribeEnvironments(ctx context.Context, in *eb.DescribeEnvironmentsInput, optFns ...func(*eb.Options)) (*eb.DescribeEnvironmentsOutput, error)
	DescribeEvents(ctx context.Context, in *eb.DescribeEventsInput, optFns ...func(*eb.Options)) (*eb.DescribeEventsOutput, error)
	DescribeEnvironmentHealth(ctx context.Context, in *eb.DescribeEnvironmentHealthInput, optFns ...func(*eb.Options)) (*eb.DescribeEnvironmentHealthOutput, error)
}

// DeployAPI is what Deploy calls besides polling.
type DeployAPI interface {
	MonitorAPI
	TagsAPI
	ApplicationsAPI
	VersionsAPI
	PlatformLister
	PlatformDescriber
	ConfigurationAPI
	OptionsAPI
	ResourcesAPI
	UpdateAPI
	LogsAPI
	DescribeInstancesHealth(ctx context.Context, in *eb.DescribeInstancesHealthInput, optFns ...func(*eb.Options)) (*eb.DescribeInstancesHealthOutput, error)
	CreateApplication(ctx context.Context, in *eb.CreateApplicationInput, optFns ...func(*eb.Options)) (*eb.CreateApplicationOutput, error)
	CreateApplicationVersion(ctx context.Context, in *eb.CreateApplicationVersionInput, optFns ...func(*eb.Options)) (*eb.CreateApplicationVersionOutput, error)
	CheckDNSAvailability(ctx context.Context, in *eb.CheckDNSAvailabilityInput, optFns ...func(*eb.Options)) (*eb.CheckDNSAvailabilityOutput, error)
	CreateEnvironment(ctx context.Context, in *eb.CreateEnvironmentInput, optFns ...func(*eb.Options)) (*eb.CreateEnvironmentOutput, error)
	TerminateEnvironment(ctx context.Context, in *eb.TerminateEnvironmentInput, optFns ...func(*eb.Options)) (*eb.TerminateEnvironmentOutput, error)
}

// TerminateAPI is what Terminate calls besides polling.
type TerminateAPI interface {
	MonitorAPI
	TerminateEnvironment(ctx context.Context, in *eb.TerminateEnvironmentInput, optFns ...func(*eb.Options)) (*eb.TerminateEnvironmentOutput, error)
}

// PutObjectAPI uploads source bundles; *s3.Client satisfies it.
type PutObjectAPI interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// RecordsAPI reads the live host's record; *route53.Client satisfies it.
type RecordsAPI interface {
	ListResourceRecordSets(ctx context.Context, in *route53.ListResourceRecordSetsInput, optFns ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error)
}
