package beanstalk

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// fakeEB is a recording fake of every Beanstalk call beanstalk makes. Set
// the …Fn fields a test needs; an unset one fails the call loudly.
type fakeEB struct {
	mu    sync.Mutex
	calls []string

	DescribeEnvironmentsFn          func(*eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error)
	DescribeEventsFn                func(*eb.DescribeEventsInput) (*eb.DescribeEventsOutput, error)
	DescribeEnvironmentHealthFn     func(*eb.DescribeEnvironmentHealthInput) (*eb.DescribeEnvironmentHealthOutput, error)
	DescribeApplicationsFn          func(*eb.DescribeApplicationsInput) (*eb.DescribeApplicationsOutput, error)
	CreateApplicationFn             func(*eb.CreateApplicationInput) (*eb.CreateApplicationOutput, error)
	DescribeApplicationVersionsFn   func(*eb.DescribeApplicationVersionsInput) (*eb.DescribeApplicationVersionsOutput, error)
	CreateApplicationVersionFn      func(*eb.CreateApplicationVersionInput) (*eb.CreateApplicationVersionOutput, error)
	ListPlatformVersionsFn          func(*eb.ListPlatformVersionsInput) (*eb.ListPlatformVersionsOutput, error)
	CheckDNSAvailabilityFn          func(*eb.CheckDNSAvailabilityInput) (*eb.CheckDNSAvailabilityOutput, error)
	CreateEnvironmentFn             func(*eb.CreateEnvironmentInput) (*eb.CreateEnvironmentOutput, error)
	TerminateEnvironmentFn          func(*eb.TerminateEnvironmentInput) (*eb.TerminateEnvironmentOutput, error)
	ListTagsForResourceFn           func(*eb.ListTagsForResourceInput) (*eb.ListTagsForResourceOutput, error)
	UpdateTagsForResourceFn         func(*eb.UpdateTagsForResourceInput) (*eb.UpdateTagsForResourceOutput, error)
	DeleteApplicationVersionFn      func(*eb.DeleteApplicationVersionInput) (*eb.DeleteApplicationVersionOutput, error)
	DescribeEnvironmentResourcesFn  func(*eb.DescribeEnvironmentResourcesInput) (*eb.DescribeEnvironmentResourcesOutput, error)
	UpdateEnvironmentFn             func(*eb.UpdateEnvironmentInput) (*eb.UpdateEnvironmentOutput, error)
	DescribeInstancesHealthFn       func(*eb.DescribeInstancesHealthInput) (*eb.DescribeInstancesHealthOutput, error)
	RequestEnvironmentInfoFn        func(*eb.RequestEnvironmentInfoInput) (*eb.RequestEnvironmentInfoOutput, error)
	RetrieveEnvironmentInfoFn       func(*eb.RetrieveEnvironmentInfoInput) (*eb.RetrieveEnvironmentInfoOutput, error)
	DescribeConfigurationOptionsFn  func(*eb.DescribeConfigurationOptionsInput) (*eb.DescribeConfigurationOptionsOutput, error)
	DescribePlatformVersionFn       func(*eb.DescribePlatformVersionInput) (*eb.DescribePlatformVersionOutput, error)
	DescribeConfigurationSettingsFn func(*eb.DescribeConfigurationSettingsInput) (*eb.DescribeConfigurationSettingsOutput, error)
}

var (
	_ DeployAPI = (*fakeEB)(nil)
	_ PruneAPI  = (*fakeEB)(nil)
)

func do[In, Out any](f *fakeEB, name string, fn func(In) (Out, error), in In) (Out, error) {
	f.mu.Lock()
	f.calls = append(f.calls, name)
	f.mu.Unlock()
	if fn == nil {
		var zero Out
		return zero, fmt.Errorf("fakeEB: unexpected call to %s", name)
	}
	return fn(in)
}

func (f *fakeEB) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == name {
			n++
		}
	}
	return n
}

func (f *fakeEB) DescribeEnvironments(_ context.Context, in *eb.DescribeEnvironmentsInput, _ ...func(*eb.Options)) (*eb.DescribeEnvironmentsOutput, error) {
	return do(f, "DescribeEnvironments", f.DescribeEnvironmentsFn, in)
}
func (f *fakeEB) DescribeEvents(_ context.Context, in *eb.DescribeEventsInput, _ ...func(*eb.Options)) (*eb.DescribeEventsOutput, error) {
	return do(f, "DescribeEvents", f.DescribeEventsFn, in)
}
func (f *fakeEB) DescribeEnvironmentHealth(_ context.Context, in *eb.DescribeEnvironmentHealthInput, _ ...func(*eb.Options)) (*eb.DescribeEnvironmentHealthOutput, error) {
	return do(f, "DescribeEnvironmentHealth", f.DescribeEnvironmentHealthFn, in)
}
func (f *fakeEB) DescribeApplications(_ context.Context, in *eb.DescribeApplicationsInput, _ ...func(*eb.Options)) (*eb.DescribeApplicationsOutput, error) {
	return do(f, "DescribeApplications", f.DescribeApplicationsFn, in)
}
func (f *fakeEB) CreateApplication(_ context.Context, in *eb.CreateApplicationInput, _ ...func(*eb.Options)) (*eb.CreateApplicationOutput, error) {
	return do(f, "CreateApplication", f.CreateApplicationFn, in)
}
func (f *fakeEB) DescribeApplicationVersions(_ context.Context, in *eb.DescribeApplicationVersionsInput, _ ...func(*eb.Options)) (*eb.DescribeApplicationVersionsOutput, error) {
	return do(f, "DescribeApplicationVersions", f.DescribeApplicationVersionsFn, in)
}
func (f *fakeEB) CreateApplicationVersion(_ context.Context, in *eb.CreateApplicationVersionInput, _ ...func(*eb.Options)) (*eb.CreateApplicationVersionOutput, error) {
	return do(f, "CreateApplicationVersion", f.CreateApplicationVersionFn, in)
}
func (f *fakeEB) ListPlatformVersions(_ context.Context, in *eb.ListPlatformVersionsInput, _ ...func(*eb.Options)) (*eb.ListPlatformVersionsOutput, error) {
	return do(f, "ListPlatformVersions", f.ListPlatformVersionsFn, in)
}
func (f *fakeEB) CheckDNSAvailability(_ context.Context, in *eb.CheckDNSAvailabilityInput, _ ...func(*eb.Options)) (*eb.CheckDNSAvailabilityOutput, error) {
	return do(f, "CheckDNSAvailability", f.CheckDNSAvailabilityFn, in)
}
func (f *fakeEB) CreateEnvironment(_ context.Context, in *eb.CreateEnvironmentInput, _ ...func(*eb.Options)) (*eb.CreateEnvironmentOutput, error) {
	return do(f, "CreateEnvironment", f.CreateEnvironmentFn, in)
}
func (f *fakeEB) TerminateEnvironment(_ context.Context, in *eb.TerminateEnvironmentInput, _ ...func(*eb.Options)) (*eb.TerminateEnvironmentOutput, error) {
	return do(f, "TerminateEnvironment", f.TerminateEnvironmentFn, in)
}

// fakeS3 records uploads.
type fakeS3 struct {
	keys []string
	err  error
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	f.keys = append(f.keys, *in.Bucket+"/"+*in.Key)
	return &s3.PutObjectOutput{}, f.err
}

// fakeRecords answers ListResourceRecordSets.
type fakeRecords struct {
	out *route53.ListResourceRecordSetsOutput
	err error
}

func (f fakeRecords) ListResourceRecordSets(context.Context, *route53.ListResourceRecordSetsInput, ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error) {
	return f.out, f.err
}

// apiErr builds the error the SDK returns for an unmodelled error code.
func apiErr(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

// httpErr builds an HTTP-status error, as a 5xx arrives.
type httpErr struct{ status int }

func (e httpErr) Error() string       { return fmt.Sprintf("http %d", e.status) }
func (e httpErr) HTTPStatusCode() int { return e.status }

func (f *fakeEB) ListTagsForResource(_ context.Context, in *eb.ListTagsForResourceInput, _ ...func(*eb.Options)) (*eb.ListTagsForResourceOutput, error) {
	return do(f, "ListTagsForResource", f.ListTagsForResourceFn, in)
}
func (f *fakeEB) UpdateTagsForResource(_ context.Context, in *eb.UpdateTagsForResourceInput, _ ...func(*eb.Options)) (*eb.UpdateTagsForResourceOutput, error) {
	return do(f, "UpdateTagsForResource", f.UpdateTagsForResourceFn, in)
}
func (f *fakeEB) DeleteApplicationVersion(_ context.Context, in *eb.DeleteApplicationVersionInput, _ ...func(*eb.Options)) (*eb.DeleteApplicationVersionOutput, error) {
	return do(f, "DeleteApplicationVersion", f.DeleteApplicationVersionFn, in)
}
func (f *fakeEB) DescribeConfigurationSettings(_ context.Context, in *eb.DescribeConfigurationSettingsInput, _ ...func(*eb.Options)) (*eb.DescribeConfigurationSettingsOutput, error) {
	return do(f, "DescribeConfigurationSettings", f.DescribeConfigurationSettingsFn, in)
}

// noDatabase answers DescribeConfigurationSettings for an environment
// without a coupled database.
func noDatabase(*eb.DescribeConfigurationSettingsInput) (*eb.DescribeConfigurationSettingsOutput, error) {
	return &eb.DescribeConfigurationSettingsOutput{ConfigurationSettings: []types.ConfigurationSettingsDescription{{}}}, nil
}
func (f *fakeEB) DescribePlatformVersion(_ context.Context, in *eb.DescribePlatformVersionInput, _ ...func(*eb.Options)) (*eb.DescribePlatformVersionOutput, error) {
	return do(f, "DescribePlatformVersion", f.DescribePlatformVersionFn, in)
}
func (f *fakeEB) DescribeEnvironmentResources(_ context.Context, in *eb.DescribeEnvironmentResourcesInput, _ ...func(*eb.Options)) (*eb.DescribeEnvironmentResourcesOutput, error) {
	return do(f, "DescribeEnvironmentResources", f.DescribeEnvironmentResourcesFn, in)
}
func (f *fakeEB) UpdateEnvironment(_ context.Context, in *eb.UpdateEnvironmentInput, _ ...func(*eb.Options)) (*eb.UpdateEnvironmentOutput, error) {
	return do(f, "UpdateEnvironment", f.UpdateEnvironmentFn, in)
}

// oneInstance answers DescribeEnvironmentResources for an environment
// with one instance in service.
func oneInstance(in *eb.DescribeEnvironmentResourcesInput) (*eb.DescribeEnvironmentResourcesOutput, error) {
	return &eb.DescribeEnvironmentResourcesOutput{EnvironmentResources: &types.EnvironmentResourceDescription{
		EnvironmentName: in.EnvironmentName, Instances: []types.Instance{{Id: aws.String("i-01")}}}}, nil
}
func (f *fakeEB) DescribeConfigurationOptions(_ context.Context, in *eb.DescribeConfigurationOptionsInput, _ ...func(*eb.Options)) (*eb.DescribeConfigurationOptionsOutput, error) {
	return do(f, "DescribeConfigurationOptions", f.DescribeConfigurationOptionsFn, in)
}
func (f *fakeEB) DescribeInstancesHealth(_ context.Context, in *eb.DescribeInstancesHealthInput, _ ...func(*eb.Options)) (*eb.DescribeInstancesHealthOutput, error) {
	return do(f, "DescribeInstancesHealth", f.DescribeInstancesHealthFn, in)
}
func (f *fakeEB) RequestEnvironmentInfo(_ context.Context, in *eb.RequestEnvironmentInfoInput, _ ...func(*eb.Options)) (*eb.RequestEnvironmentInfoOutput, error) {
	return do(f, "RequestEnvironmentInfo", f.RequestEnvironmentInfoFn, in)
}
func (f *fakeEB) RetrieveEnvironmentInfo(_ context.Context, in *eb.RetrieveEnvironmentInfoInput, _ ...func(*eb.Options)) (*eb.RetrieveEnvironmentInfoOutput, error) {
	return do(f, "RetrieveEnvironmentInfo", f.RetrieveEnvironmentInfoFn, in)
}
