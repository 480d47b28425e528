package beanstalktest

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLogsOfAFailedLaunch follows the path a tool takes to say why a
// launch failed: instance health causes, then the logs' tail through
// RequestEnvironmentInfo/RetrieveEnvironmentInfo and presigned URLs.
func TestLogsOfAFailedLaunch(t *testing.T) {
	f := newFixture(t, Options{})
	f.s.ScriptEnvironment("hello-v1", Outcome{FailLaunch: true, FailureReason: "Engine execution has encountered an error: container exited with code 2",
		ContainerLog: []string{"panic: DATABASE_URL is not set", "goroutine 1 [running]:"}})
	f.version("v1", nil)
	f.create("hello-v1", "v1", "")
	f.clock.Advance(6 * time.Minute)

	ih, err := f.eb.DescribeInstancesHealth(f.ctx, &eb.DescribeInstancesHealthInput{EnvironmentName: aws.String("hello-v1"), AttributeNames: []types.InstancesHealthAttribute{types.InstancesHealthAttributeAll}})
	require.NoError(t, err)
	require.Len(t, ih.InstanceHealthList, 1)
	assert.Contains(t, ih.InstanceHealthList[0].Causes[0], "Application deployment failed")

	_, err = f.eb.RequestEnvironmentInfo(f.ctx, &eb.RequestEnvironmentInfoInput{EnvironmentName: aws.String("hello-v1"), InfoType: types.EnvironmentInfoTypeTail})
	require.NoError(t, err)
	out, err := f.eb.RetrieveEnvironmentInfo(f.ctx, &eb.RetrieveEnvironmentInfoInput{EnvironmentName: aws.String("hello-v1"), InfoType: types.EnvironmentInfoTypeTail})
	require.NoError(t, err)
	assert.Empty(t, out.EnvironmentInfo, "compiling takes a while")
	f.clock.Advance(20 * time.Second)
	out, err = f.eb.RetrieveEnvironmentInfo(f.ctx, &eb.RetrieveEnvironmentInfoInput{EnvironmentName: aws.String("hello-v1"), InfoType: types.EnvironmentInfoTypeTail})
	require.NoError(t, err)
	require.Len(t, out.EnvironmentInfo, 1)
	info := out.EnvironmentInfo[0]
	assert.Equal(t, f.env("hello-v1").EnvironmentId, aws.String(strings.Split(strings.Split(aws.ToString(info.Message), "/tail/")[1], "/")[0]))
	resp, err := http.Get(aws.ToString(info.Message))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	tail := string(body)
	assert.Contains(t, tail, "----------------------------------------\n/var/log/eb-engine.log\n----------------------------------------\n")
	assert.Regexp(t, `\[ERROR\] An error occurred during execution of command \[app-deploy\] - \[Docker Specific Build Application\]\. Stop running the command\. Error: Engine execution has encountered an error: container exited with code 2`, tail)
	assert.Contains(t, tail, "panic: DATABASE_URL is not set")

	_, err = f.eb.RequestEnvironmentInfo(f.ctx, &eb.RequestEnvironmentInfoInput{EnvironmentName: aws.String("hello-v1"), InfoType: types.EnvironmentInfoTypeBundle})
	require.NoError(t, err)
	f.clock.Advance(20 * time.Second)
	out, err = f.eb.RetrieveEnvironmentInfo(f.ctx, &eb.RetrieveEnvironmentInfoInput{EnvironmentName: aws.String("hello-v1"), InfoType: types.EnvironmentInfoTypeBundle})
	require.NoError(t, err)
	require.Len(t, out.EnvironmentInfo, 1)
	resp, err = http.Get(aws.ToString(out.EnvironmentInfo[0].Message))
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	require.NoError(t, err)
	var names []string
	for _, z := range zr.File {
		names = append(names, z.Name)
	}
	assert.Contains(t, names, "var/log/eb-engine.log")

	_, err = f.eb.RequestEnvironmentInfo(f.ctx, &eb.RequestEnvironmentInfoInput{EnvironmentName: aws.String("hello-v1"), InfoType: "everything"})
	assert.Equal(t, CodeInvalidParameterValue, apiCode(err))
}
