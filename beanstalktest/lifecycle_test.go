package beanstalktest

import (
	"encoding/json"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBlueGreenCycleByHand drives a whole blue/green deploy through the
// real SDK: two environments launch, traffic is swapped, the old one is
// terminated, and every observation along the way is what Beanstalk shows.
func TestBlueGreenCycleByHand(t *testing.T) {
	f := newFixture(t, Options{})
	f.version("v1", nil)
	f.version("v2", nil)

	blue := f.create("hello-v1", "v1", "hello")
	assert.Equal(t, types.EnvironmentStatusLaunching, blue.Status)
	assert.Equal(t, types.EnvironmentHealthGrey, blue.Health)
	assert.Equal(t, types.EnvironmentHealthStatusPending, blue.HealthStatus)
	assert.Equal(t, "hello.us-east-1.elasticbeanstalk.com", aws.ToString(blue.CNAME))
	assert.Regexp(t, `^e-[a-z0-9]{10}$`, aws.ToString(blue.EnvironmentId))
	assert.Equal(t, "arn:aws:elasticbeanstalk:us-east-1:123456789012:environment/hello/hello-v1", aws.ToString(blue.EnvironmentArn))

	_, _, err := f.get("hello.us-east-1.elasticbeanstalk.com", "/ping")
	require.NoError(t, err, "the CNAME resolves as soon as it is assigned")
	code, _, _ := f.get("hello.us-east-1.elasticbeanstalk.com", "/ping")
	assert.Equal(t, 503, code, "no instance serves yet")

	f.clock.Advance(5 * time.Minute)
	e := f.env("hello-v1")
	assert.Equal(t, types.EnvironmentStatusReady, e.Status)
	assert.Equal(t, types.EnvironmentHealthGrey, e.Health, "health lags behind Ready")
	f.clock.Advance(30 * time.Second)
	e = f.env("hello-v1")
	assert.Equal(t, types.EnvironmentHealthGreen, e.Health)
	assert.Equal(t, types.EnvironmentHealthStatusOk, e.HealthStatus)
	assert.Equal(t, []string{
		"INFO createEnvironment is starting.",
		"INFO Using elasticbeanstalk-us-east-1-123456789012 as Amazon S3 storage bucket for environment data.",
	}, f.events("hello-v1")[:2])
	assert.Contains(t, f.events("hello-v1"), "INFO Successfully launched environment: hello-v1")

	code, body, err := f.get("hello.us-east-1.elasticbeanstalk.com", "/version")
	require.NoError(t, err)
	assert.Equal(t, 200, code)
	assert.JSONEq(t, `{"name":"hello","version":"v1","image":""}`, body, "what the container was told in its environment")

	// Green beside blue, on a temporary CNAME.
	avail, err := f.eb.CheckDNSAvailability(f.ctx, &eb.CheckDNSAvailabilityInput{CNAMEPrefix: aws.String("hello")})
	require.NoError(t, err)
	assert.False(t, aws.ToBool(avail.Available))
	f.create("hello-v2", "v2", "hello-tmp-1")
	f.clock.Advance(6 * time.Minute)
	require.Equal(t, types.EnvironmentHealthGreen, f.env("hello-v2").Health)

	_, err = f.eb.SwapEnvironmentCNAMEs(f.ctx, &eb.SwapEnvironmentCNAMEsInput{SourceEnvironmentName: aws.String("hello-v2"), DestinationEnvironmentName: aws.String("hello-v1")})
	require.NoError(t, err)
	assert.Equal(t, types.EnvironmentStatusUpdating, f.env("hello-v1").Status)
	assert.Equal(t, types.EnvironmentStatusUpdating, f.env("hello-v2").Status)
	assert.Equal(t, "hello.us-east-1.elasticbeanstalk.com", aws.ToString(f.env("hello-v1").CNAME), "CNAMEs move when the swap completes")
	_, err = f.eb.SwapEnvironmentCNAMEs(f.ctx, &eb.SwapEnvironmentCNAMEsInput{SourceEnvironmentName: aws.String("hello-v2"), DestinationEnvironmentName: aws.String("hello-v1")})
	assert.Equal(t, CodeInvalidParameterValue, apiCode(err))
	assert.ErrorContains(t, err, "is in an invalid state for this operation. Must be Ready.")

	f.clock.Advance(40 * time.Second)
	assert.Equal(t, "hello.us-east-1.elasticbeanstalk.com", aws.ToString(f.env("hello-v2").CNAME))
	assert.Equal(t, "hello-tmp-1.us-east-1.elasticbeanstalk.com", aws.ToString(f.env("hello-v1").CNAME))
	assert.Equal(t, types.EnvironmentStatusReady, f.env("hello-v1").Status)
	assert.Contains(t, f.events("hello-v2"), "INFO Completed swapping CNAMEs for environments 'hello-v2' and 'hello-v1'.")
	_, body, _ = f.get("hello.us-east-1.elasticbeanstalk.com", "/version")
	var v map[string]string
	require.NoError(t, json.Unmarshal([]byte(body), &v))
	assert.Equal(t, "v2", v["version"], "live traffic follows the CNAME")

	// Retire blue.
	term, err := f.eb.TerminateEnvironment(f.ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String("hello-v1")})
	require.NoError(t, err)
	assert.Equal(t, types.EnvironmentStatusTerminating, term.Status)
	_, err = f.eb.TerminateEnvironment(f.ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String("hello-v1")})
	assert.ErrorContains(t, err, "No Environment found for EnvironmentName = 'hello-v1'.")
	f.clock.Advance(3 * time.Minute)
	gone := f.env("hello-v1")
	assert.Equal(t, types.EnvironmentStatusTerminated, gone.Status)
	assert.Nil(t, gone.CNAME)
	assert.Contains(t, f.events("hello-v1"), "INFO terminateEnvironment completed successfully.")
	_, _, err = f.get("hello-tmp-1.us-east-1.elasticbeanstalk.com", "/ping")
	var dnsErr *net.DNSError
	assert.True(t, errors.As(err, &dnsErr), "a released CNAME no longer resolves: %v", err)
	avail, err = f.eb.CheckDNSAvailability(f.ctx, &eb.CheckDNSAvailabilityInput{CNAMEPrefix: aws.String("hello-tmp-1")})
	require.NoError(t, err)
	assert.True(t, aws.ToBool(avail.Available))

	list, err := f.eb.DescribeEnvironments(f.ctx, &eb.DescribeEnvironmentsInput{ApplicationName: aws.String(appName), IncludeDeleted: aws.Bool(false)})
	require.NoError(t, err)
	require.Len(t, list.Environments, 1)
	assert.Equal(t, "hello-v2", aws.ToString(list.Environments[0].EnvironmentName))
	f.clock.Advance(61 * time.Minute)
	list, err = f.eb.DescribeEnvironments(f.ctx, &eb.DescribeEnvironmentsInput{ApplicationName: aws.String(appName)})
	require.NoError(t, err)
	assert.Len(t, list.Environments, 1, "terminated environments drop out of the list after an hour")

	// The name is free again.
	f.create("hello-v1", "v1", "")
}
