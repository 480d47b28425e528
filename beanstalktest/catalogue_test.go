package beanstalktest

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestApplicationVersions(t *testing.T) {
	f := newFixture(t, Options{Quotas: Quotas{ApplicationVersions: 3}})
	f.version("v1", nil)
	f.clock.Advance(time.Second)
	f.version("v2", nil)
	f.clock.Advance(time.Second)
	f.version("v3", nil)

	out, err := f.eb.DescribeApplicationVersions(f.ctx, &eb.DescribeApplicationVersionsInput{ApplicationName: aws.String(appName)})
	require.NoError(t, err)
	var labels []string
	for _, v := range out.ApplicationVersions {
		labels = append(labels, aws.ToString(v.VersionLabel))
		assert.Equal(t, types.ApplicationVersionStatusProcessed, v.Status)
	}
	assert.Equal(t, []string{"v3", "v2", "v1"}, labels, "newest first")

	page1, err := f.eb.DescribeApplicationVersions(f.ctx, &eb.DescribeApplicationVersionsInput{ApplicationName: aws.String(appName), MaxRecords: aws.Int32(2)})
	require.NoError(t, err)
	require.Len(t, page1.ApplicationVersions, 2)
	require.NotNil(t, page1.NextToken)
	page2, err := f.eb.DescribeApplicationVersions(f.ctx, &eb.DescribeApplicationVersionsInput{ApplicationName: aws.String(appName), MaxRecords: aws.Int32(2), NextToken: page1.NextToken})
	require.NoError(t, err)
	assert.Equal(t, "v1", aws.ToString(page2.ApplicationVersions[0].VersionLabel))
	assert.Nil(t, page2.NextToken)

	// Quota, duplicates, missing bundle.
	_, err = f.eb.CreateApplicationVersion(f.ctx, &eb.CreateApplicationVersionInput{ApplicationName: aws.String(appName), VersionLabel: aws.String("v4")})
	assert.Equal(t, CodeTooManyApplicationVersions, apiCode(err))
	var tooMany *types.TooManyApplicationVersionsException
	assert.ErrorAs(t, err, &tooMany, "the SDK maps the code to its modelled error")
	_, err = f.eb.CreateApplicationVersion(f.ctx, &eb.CreateApplicationVersionInput{ApplicationName: aws.String(appName), VersionLabel: aws.String("v1")})
	assert.ErrorContains(t, err, "Application Version v1 already exists.")

	// In use: refused; deleting the bundle too.
	f.create("hello-v1", "v1", "")
	_, err = f.eb.DeleteApplicationVersion(f.ctx, &eb.DeleteApplicationVersionInput{ApplicationName: aws.String(appName), VersionLabel: aws.String("v1")})
	assert.Equal(t, CodeOperationInProgress, apiCode(err), "launching: an operation is in progress")
	f.clock.Advance(6 * time.Minute)
	_, err = f.eb.DeleteApplicationVersion(f.ctx, &eb.DeleteApplicationVersionInput{ApplicationName: aws.String(appName), VersionLabel: aws.String("v1")})
	assert.ErrorContains(t, err, "it is being used by environment(s): hello-v1")

	_, err = f.eb.DeleteApplicationVersion(f.ctx, &eb.DeleteApplicationVersionInput{ApplicationName: aws.String(appName), VersionLabel: aws.String("v2"), DeleteSourceBundle: aws.Bool(true)})
	require.NoError(t, err)
	_, err = f.s3.HeadObject(f.ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("bundles/v2.zip")})
	assert.Error(t, err, "the bundle went with the version")
	_, err = f.eb.DeleteApplicationVersion(f.ctx, &eb.DeleteApplicationVersionInput{ApplicationName: aws.String(appName), VersionLabel: aws.String("v3")})
	require.NoError(t, err)
	_, err = f.s3.HeadObject(f.ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("bundles/v3.zip")})
	assert.NoError(t, err, "kept unless asked")
	_, err = f.eb.DeleteApplicationVersion(f.ctx, &eb.DeleteApplicationVersionInput{ApplicationName: aws.String(appName), VersionLabel: aws.String("v3")})
	assert.ErrorContains(t, err, "No Application Version named 'v3' found.")

	_, err = f.eb.CreateApplicationVersion(f.ctx, &eb.CreateApplicationVersionInput{ApplicationName: aws.String(appName), VersionLabel: aws.String("v5"),
		SourceBundle: &types.S3Location{S3Bucket: aws.String(bucket), S3Key: aws.String("missing.zip")}})
	assert.Equal(t, CodeInvalidParameterCombination, apiCode(err))
	assert.ErrorContains(t, err, "Unable to download from S3 location (Bucket: hello-bundles  Key: missing.zip)")
}

func TestEventsFiltersAndPaging(t *testing.T) {
	f := newFixture(t, Options{})
	f.version("v1", nil)
	start := f.clock.Now()
	f.create("hello-v1", "v1", "")
	f.clock.Advance(6 * time.Minute)
	all := f.events("hello-v1")
	require.Greater(t, len(all), 6)

	// Page through three at a time: same events, no duplicates.
	var paged []string
	var token *string
	for {
		out, err := f.eb.DescribeEvents(f.ctx, &eb.DescribeEventsInput{EnvironmentName: aws.String("hello-v1"), MaxRecords: aws.Int32(3), NextToken: token})
		require.NoError(t, err)
		for _, e := range out.Events {
			paged = append([]string{string(e.Severity) + " " + aws.ToString(e.Message)}, paged...)
		}
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
		f.version(fmt.Sprintf("x%d", len(paged)), nil) // new events between pages do not shift them
	}
	assert.Equal(t, all, paged)

	since := start.Add(4 * time.Minute)
	out, err := f.eb.DescribeEvents(f.ctx, &eb.DescribeEventsInput{EnvironmentName: aws.String("hello-v1"), StartTime: aws.Time(since)})
	require.NoError(t, err)
	for _, e := range out.Events {
		assert.False(t, e.EventDate.Before(since))
	}
	assert.NotEmpty(t, out.Events)
	out, err = f.eb.DescribeEvents(f.ctx, &eb.DescribeEventsInput{EnvironmentName: aws.String("hello-v1"), EndTime: aws.Time(start.Add(time.Second))})
	require.NoError(t, err)
	require.Len(t, out.Events, 1)
	assert.Equal(t, "createEnvironment is starting.", aws.ToString(out.Events[0].Message))
	assert.NotEmpty(t, aws.ToString(out.Events[0].RequestId))
	byReq, err := f.eb.DescribeEvents(f.ctx, &eb.DescribeEventsInput{RequestId: out.Events[0].RequestId})
	require.NoError(t, err)
	assert.Len(t, byReq.Events, len(all), "every launch event carries the create request's id")

	_, err = f.eb.DescribeEvents(f.ctx, &eb.DescribeEventsInput{MaxRecords: aws.Int32(5000)})
	assert.Equal(t, CodeInvalidParameterValue, apiCode(err))
}

func TestPlatforms(t *testing.T) {
	f := newFixture(t, Options{})
	filter := func(typ, op string, values ...string) types.PlatformFilter {
		return types.PlatformFilter{Type: aws.String(typ), Operator: aws.String(op), Values: values}
	}
	out, err := f.eb.ListPlatformVersions(f.ctx, &eb.ListPlatformVersionsInput{Filters: []types.PlatformFilter{
		filter("PlatformBranchName", "=", "Docker running on 64bit Amazon Linux 2023"),
	}})
	require.NoError(t, err)
	require.Len(t, out.PlatformSummaryList, 3)
	for _, p := range out.PlatformSummaryList {
		assert.Equal(t, "Docker running on 64bit Amazon Linux 2023", aws.ToString(p.PlatformBranchName))
	}
	rec, err := f.eb.ListPlatformVersions(f.ctx, &eb.ListPlatformVersionsInput{Filters: []types.PlatformFilter{
		filter("PlatformBranchName", "=", "Docker running on 64bit Amazon Linux 2023"),
		filter("PlatformLifecycleState", "=", "Recommended"),
	}})
	require.NoError(t, err)
	require.Len(t, rec.PlatformSummaryList, 1)
	arn := aws.ToString(rec.PlatformSummaryList[0].PlatformArn)
	assert.Equal(t, "arn:aws:elasticbeanstalk:us-east-1::platform/Docker running on 64bit Amazon Linux 2023/4.13.1", arn)

	newer, err := f.eb.ListPlatformVersions(f.ctx, &eb.ListPlatformVersionsInput{Filters: []types.PlatformFilter{filter("PlatformVersion", ">=", "4.10")}})
	require.NoError(t, err)
	assert.Len(t, newer.PlatformSummaryList, 2)
	_, err = f.eb.ListPlatformVersions(f.ctx, &eb.ListPlatformVersionsInput{Filters: []types.PlatformFilter{filter("Colour", "=", "x")}})
	assert.Equal(t, CodeInvalidParameterValue, apiCode(err))

	stacks, err := f.eb.ListAvailableSolutionStacks(f.ctx, &eb.ListAvailableSolutionStacksInput{})
	require.NoError(t, err)
	assert.Contains(t, stacks.SolutionStacks, "64bit Amazon Linux 2023 v4.13.1 running Docker")

	// An environment created from the ARN reports both names.
	f.version("v1", nil)
	_, err = f.eb.CreateEnvironment(f.ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String(appName), EnvironmentName: aws.String("by-arn"), PlatformArn: aws.String(arn), VersionLabel: aws.String("v1"), OptionSettings: []types.ConfigurationOptionSetting{profile}})
	require.NoError(t, err)
	e := f.env("by-arn")
	assert.Equal(t, arn, aws.ToString(e.PlatformArn))
	assert.Equal(t, "64bit Amazon Linux 2023 v4.13.1 running Docker", aws.ToString(e.SolutionStackName))

	d, err := f.eb.DescribePlatformVersion(f.ctx, &eb.DescribePlatformVersionInput{PlatformArn: aws.String(arn)})
	require.NoError(t, err)
	assert.Equal(t, "64bit Amazon Linux 2023 v4.13.1 running Docker", aws.ToString(d.PlatformDescription.SolutionStackName))
	assert.Equal(t, "4.13.1", aws.ToString(d.PlatformDescription.PlatformVersion))
	assert.False(t, aws.ToTime(d.PlatformDescription.DateCreated).IsZero(), "a release date, which decides what the platform supports")
	_, err = f.eb.DescribePlatformVersion(f.ctx, &eb.DescribePlatformVersionInput{PlatformArn: aws.String(arn + "9")})
	assert.Equal(t, CodeInvalidParameterValue, apiCode(err))
}

func TestTags(t *testing.T) {
	f := newFixture(t, Options{})
	f.version("v1", nil)
	out, err := f.eb.CreateEnvironment(f.ctx, &eb.CreateEnvironmentInput{
		ApplicationName: aws.String(appName), EnvironmentName: aws.String("tagged"), VersionLabel: aws.String("v1"),
		SolutionStackName: aws.String("64bit Amazon Linux 2023 v4.13.1 running Docker"), OptionSettings: []types.ConfigurationOptionSetting{profile},
		Tags: []types.Tag{{Key: aws.String("beanswap:service"), Value: aws.String("hello")}},
	})
	require.NoError(t, err)
	tags, err := f.eb.ListTagsForResource(f.ctx, &eb.ListTagsForResourceInput{ResourceArn: out.EnvironmentArn})
	require.NoError(t, err)
	got := map[string]string{}
	for _, tg := range tags.ResourceTags {
		got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	assert.Equal(t, map[string]string{"beanswap:service": "hello", "elasticbeanstalk:environment-name": "tagged", "elasticbeanstalk:environment-id": aws.ToString(out.EnvironmentId)}, got)

	// Tags are applied by an environment update: not while it launches,
	// one at a time, and it is Updating meanwhile.
	add := &eb.UpdateTagsForResourceInput{ResourceArn: out.EnvironmentArn,
		TagsToAdd: []types.Tag{{Key: aws.String("beanswap:service"), Value: aws.String("other")}, {Key: aws.String("team"), Value: aws.String("a")}}}
	_, err = f.eb.UpdateTagsForResource(f.ctx, add)
	assert.Equal(t, CodeOperationInProgress, apiCode(err), "launching")
	f.clock.Advance(6 * time.Minute)
	_, err = f.eb.UpdateTagsForResource(f.ctx, add)
	require.NoError(t, err)
	assert.Equal(t, types.EnvironmentStatusUpdating, f.env("tagged").Status)
	_, err = f.eb.UpdateTagsForResource(f.ctx, &eb.UpdateTagsForResourceInput{ResourceArn: out.EnvironmentArn, TagsToRemove: []string{"team"}})
	assert.Equal(t, CodeOperationInProgress, apiCode(err), "another update is in progress")
	f.clock.Advance(31 * time.Second)
	assert.Equal(t, types.EnvironmentStatusReady, f.env("tagged").Status)
	assert.Contains(t, f.events("tagged"), "INFO Environment update completed successfully.")
	_, err = f.eb.UpdateTagsForResource(f.ctx, &eb.UpdateTagsForResourceInput{ResourceArn: out.EnvironmentArn, TagsToRemove: []string{"team"}})
	require.NoError(t, err)
	tags, err = f.eb.ListTagsForResource(f.ctx, &eb.ListTagsForResourceInput{ResourceArn: out.EnvironmentArn})
	require.NoError(t, err)
	assert.Len(t, tags.ResourceTags, 3)
	assert.Contains(t, tags.ResourceTags, types.Tag{Key: aws.String("beanswap:service"), Value: aws.String("other")})

	_, err = f.eb.ListTagsForResource(f.ctx, &eb.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:elasticbeanstalk:us-east-1:123456789012:environment/hello/nope")})
	var nf *types.ResourceNotFoundException
	assert.ErrorAs(t, err, &nf)
}
