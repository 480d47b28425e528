package beanstalktest

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

// fixture is a simulator with a manual clock, SDK clients, an application
// "hello" and a bundle bucket.
type fixture struct {
	t     *testing.T
	s     *Server
	clock *ManualClock
	eb    *eb.Client
	s3    *s3.Client
	ctx   context.Context
}

const (
	appName = "hello"
	bucket  = "hello-bundles"
)

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	clock := NewManualClock(time.Time{})
	if opts.Clock == nil {
		opts.Clock = clock
	}
	s := Start(t, opts)
	cfg := s.Config()
	// Tests see every API error and count every call, so only what the SDK
	// itself calls a connection reset is retried: a loopback connection may
	// be reset under load (aws/aws-sdk-go-v2#2737), and that is not what
	// any test is about.
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
			o.MaxBackoff = 10 * time.Millisecond
		})
	}
	f := &fixture{t: t, s: s, clock: clock, eb: eb.NewFromConfig(cfg), s3: s3.NewFromConfig(cfg), ctx: context.Background()}
	_, err := f.s3.CreateBucket(f.ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	_, err = f.eb.CreateApplication(f.ctx, &eb.CreateApplicationInput{ApplicationName: aws.String(appName)})
	require.NoError(t, err)
	return f
}

// bundleZip returns a source bundle holding files.
func bundleZip(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range files {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, _ = io.WriteString(w, body)
	}
	require.NoError(t, zw.Close())
	return b.Bytes()
}

func dockerrun(image string) string {
	b, _ := json.Marshal(map[string]any{
		"AWSEBDockerrunVersion": "1",
		"Image":                 map[string]string{"Name": image, "Update": "true"},
		"Ports":                 []map[string]string{{"ContainerPort": "80"}},
	})
	return string(b)
}

// version uploads a bundle and registers it as label.
func (f *fixture) version(label string, files map[string]string) {
	f.t.Helper()
	if files == nil {
		files = map[string]string{"Dockerrun.aws.json": dockerrun("team/hello:" + label)}
	}
	key := "bundles/" + label + ".zip"
	_, err := f.s3.PutObject(f.ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(bundleZip(f.t, files))})
	require.NoError(f.t, err)
	_, err = f.eb.CreateApplicationVersion(f.ctx, &eb.CreateApplicationVersionInput{
		ApplicationName: aws.String(appName), VersionLabel: aws.String(label),
		SourceBundle: &types.S3Location{S3Bucket: aws.String(bucket), S3Key: aws.String(key)},
	})
	require.NoError(f.t, err)
}

var profile = types.ConfigurationOptionSetting{Namespace: aws.String(nsLaunch), OptionName: aws.String("IamInstanceProfile"), Value: aws.String("aws-elasticbeanstalk-ec2-role")}

func option(ns, name, value string) types.ConfigurationOptionSetting {
	return types.ConfigurationOptionSetting{Namespace: aws.String(ns), OptionName: aws.String(name), Value: aws.String(value)}
}

// create starts an environment running label on the Docker platform with
// enhanced health.
func (f *fixture) create(name, label, prefix string, extra ...types.ConfigurationOptionSetting) *eb.CreateEnvironmentOutput {
	f.t.Helper()
	out, err := f.tryCreate(name, label, prefix, extra...)
	require.NoError(f.t, err)
	return out
}

func (f *fixture) tryCreate(name, label, prefix string, extra ...types.ConfigurationOptionSetting) (*eb.CreateEnvironmentOutput, error) {
	in := &eb.CreateEnvironmentInput{
		ApplicationName:   aws.String(appName),
		EnvironmentName:   aws.String(name),
		VersionLabel:      aws.String(label),
		SolutionStackName: aws.String("64bit Amazon Linux 2023 v4.13.1 running Docker"),
		OptionSettings: append([]types.ConfigurationOptionSetting{profile, option(nsHealth, "SystemType", "enhanced"),
			option(nsEnvVars, "BEANSWAP_SERVICE", appName), option(nsEnvVars, "BEANSWAP_VERSION", label)}, extra...),
	}
	if prefix != "" {
		in.CNAMEPrefix = aws.String(prefix)
	}
	return f.eb.CreateEnvironment(f.ctx, in)
}

// env describes one environment by name (terminated ones included). A
// new environment is listed a few seconds after its creation: env waits
// that long on the fixture's clock, as a client has to.
func (f *fixture) env(name string) types.EnvironmentDescription {
	f.t.Helper()
	out, err := f.eb.DescribeEnvironments(f.ctx, &eb.DescribeEnvironmentsInput{EnvironmentNames: []string{name}})
	require.NoError(f.t, err)
	if len(out.Environments) == 0 {
		f.clock.Advance(5 * time.Second)
		out, err = f.eb.DescribeEnvironments(f.ctx, &eb.DescribeEnvironmentsInput{EnvironmentNames: []string{name}})
		require.NoError(f.t, err)
	}
	require.Len(f.t, out.Environments, 1, "environment %s", name)
	return out.Environments[0]
}

// events returns the messages of name's events, oldest first.
func (f *fixture) events(name string) []string {
	f.t.Helper()
	out, err := f.eb.DescribeEvents(f.ctx, &eb.DescribeEventsInput{EnvironmentName: aws.String(name), MaxRecords: aws.Int32(1000)})
	require.NoError(f.t, err)
	msgs := make([]string, len(out.Events))
	for i, e := range out.Events {
		msgs[len(out.Events)-1-i] = string(e.Severity) + " " + aws.ToString(e.Message)
	}
	return msgs
}

// get fetches path on host through the simulator's DNS.
func (f *fixture) get(host, path string) (int, string, error) {
	resp, err := f.s.HTTPClient().Get("http://" + host + path)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// apiCode returns the AWS error code of err.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
