package beanstalk

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/secret"
)

// world is an in-memory account behind fakeEB: just enough behaviour for
// Deploy's branches (the simulator tests the real lifecycle).
type world struct {
	f           *fakeEB
	apps        map[string]bool
	versions    map[string]bool
	envs        []types.EnvironmentDescription
	taken       map[string]bool // CNAME prefixes not available
	created     []*eb.CreateEnvironmentInput
	terminated  []string
	launchState types.EnvironmentDescription // what a created environment becomes
	tags        map[string]map[string]string // by environment ARN
}

func newWorld() *world {
	w := &world{apps: map[string]bool{}, versions: map[string]bool{}, taken: map[string]bool{}, tags: map[string]map[string]string{},
		launchState: types.EnvironmentDescription{Status: types.EnvironmentStatusReady, Health: types.EnvironmentHealthGreen}}
	w.f = &fakeEB{
		DescribeConfigurationSettingsFn: noDatabase,
		DescribeEnvironmentResourcesFn:  oneInstance,
		DescribeApplicationsFn: func(in *eb.DescribeApplicationsInput) (*eb.DescribeApplicationsOutput, error) {
			out := &eb.DescribeApplicationsOutput{}
			if w.apps[in.ApplicationNames[0]] {
				out.Applications = []types.ApplicationDescription{{ApplicationName: aws.String(in.ApplicationNames[0])}}
			}
			return out, nil
		},
		CreateApplicationFn: func(in *eb.CreateApplicationInput) (*eb.CreateApplicationOutput, error) {
			w.apps[*in.ApplicationName] = true
			return &eb.CreateApplicationOutput{}, nil
		},
		DescribeApplicationVersionsFn: func(in *eb.DescribeApplicationVersionsInput) (*eb.DescribeApplicationVersionsOutput, error) {
			out := &eb.DescribeApplicationVersionsOutput{}
			if w.versions[in.VersionLabels[0]] {
				out.ApplicationVersions = []types.ApplicationVersionDescription{{VersionLabel: aws.String(in.VersionLabels[0])}}
			}
			return out, nil
		},
		CreateApplicationVersionFn: func(in *eb.CreateApplicationVersionInput) (*eb.CreateApplicationVersionOutput, error) {
			w.versions[*in.VersionLabel] = true
			return &eb.CreateApplicationVersionOutput{}, nil
		},
		ListPlatformVersionsFn: func(*eb.ListPlatformVersionsInput) (*eb.ListPlatformVersionsOutput, error) {
			return &eb.ListPlatformVersionsOutput{PlatformSummaryList: []types.PlatformSummary{
				{PlatformArn: aws.String("arn:newest"), PlatformVersion: aws.String("4.14.0")},
				{PlatformArn: aws.String("arn:recommended"), PlatformVersion: aws.String("4.13.1"), PlatformLifecycleState: aws.String("Recommended")},
				{PlatformArn: aws.String("arn:old"), PlatformVersion: aws.String("4.9.0")},
			}}, nil
		},
		CheckDNSAvailabilityFn: func(in *eb.CheckDNSAvailabilityInput) (*eb.CheckDNSAvailabilityOutput, error) {
			return &eb.CheckDNSAvailabilityOutput{Available: aws.Bool(!w.taken[*in.CNAMEPrefix]), FullyQualifiedCNAME: aws.String(*in.CNAMEPrefix + ".us-east-1.elasticbeanstalk.com")}, nil
		},
		CreateEnvironmentFn: func(in *eb.CreateEnvironmentInput) (*eb.CreateEnvironmentOutput, error) {
			w.created = append(w.created, in)
			e := w.launchState
			e.EnvironmentName, e.VersionLabel = in.EnvironmentName, in.VersionLabel
			e.CNAME = aws.String(*in.CNAMEPrefix + ".us-east-1.elasticbeanstalk.com")
			w.envs = append(w.envs, e)
			return &eb.CreateEnvironmentOutput{EnvironmentName: in.EnvironmentName, CNAME: e.CNAME, DateCreated: aws.Time(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))}, nil
		},
		TerminateEnvironmentFn: func(in *eb.TerminateEnvironmentInput) (*eb.TerminateEnvironmentOutput, error) {
			w.terminated = append(w.terminated, *in.EnvironmentName)
			for i := range w.envs {
				if *w.envs[i].EnvironmentName == *in.EnvironmentName {
					w.envs[i].Status = types.EnvironmentStatusTerminated
				}
			}
			return &eb.TerminateEnvironmentOutput{}, nil
		},
		DescribeEnvironmentsFn: func(in *eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error) {
			return &eb.DescribeEnvironmentsOutput{Environments: append([]types.EnvironmentDescription(nil), w.envs...)}, nil
		},
		DescribeEventsFn: func(*eb.DescribeEventsInput) (*eb.DescribeEventsOutput, error) {
			return &eb.DescribeEventsOutput{}, nil
		},
		ListTagsForResourceFn: func(in *eb.ListTagsForResourceInput) (*eb.ListTagsForResourceOutput, error) {
			out := &eb.ListTagsForResourceOutput{ResourceTags: []types.Tag{}}
			for k, v := range w.tags[aws.ToString(in.ResourceArn)] {
				out.ResourceTags = append(out.ResourceTags, types.Tag{Key: aws.String(k), Value: aws.String(v)})
			}
			return out, nil
		},
		DescribeEnvironmentHealthFn: func(*eb.DescribeEnvironmentHealthInput) (*eb.DescribeEnvironmentHealthOutput, error) {
			return &eb.DescribeEnvironmentHealthOutput{}, nil
		},
	}
	return w
}

func testSpec() Spec {
	return Spec{
		Service: "hello",
		Bucket:  "bucket",
		Environment: EnvironmentSettings{
			InstanceProfile: "profile",
			Secrets:         map[string]secret.Value{"API_KEY": secret.New("s3cret")},
		},
		Tags: map[string]string{"team": "a"},
	}
}

func (w *world) deployer(s3 *fakeS3) Deployer {
	clk := beanstalktest.NewManualClock(time.Time{})
	return Deployer{EB: w.f, S3: s3, Runtime: Runtime{Clock: clk}}
}

var rel = Release{Image: "team/hello:1.2", Bundle: []byte("zip")}
