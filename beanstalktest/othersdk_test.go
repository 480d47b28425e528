package beanstalktest

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBoto3SeesTheSameService runs a Python boto3 client against the
// simulator with nothing but AWS_ENDPOINT_URL: another SDK must parse the
// same answers and errors, and reach S3 on the same address.
func TestBoto3SeesTheSameService(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python3")
	}
	python, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(python, "-c", "import boto3").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI needs python3 with boto3 (installed with moto): %v", err)
		}
		t.Skipf("python3 with boto3 is not available: %v", err)
	}
	s := Start(t, Options{Clock: NewScaledClock(time.Time{}, 600)})
	cmd := exec.Command(python, "testdata/boto3_cycle.py")
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+s.URL, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Fatalf("boto3 script failed: %v\n%s", err, ee.Stderr)
	}
	require.NoError(t, err)

	var got struct {
		Platform string
		Created  struct{ Status, Cname, Health string }
		Ready    struct {
			Status, Health    string
			CreatedIsDatetime bool `json:"created_is_datetime"`
		}
		EventsPage    int    `json:"events_page"`
		HasNextToken  bool   `json:"has_next_token"`
		NewestEvent   string `json:"newest_event"`
		Duplicate     string
		InUse         string `json:"in_use"`
		MissingBundle string `json:"missing_bundle"`
		Capacity      struct {
			Instances, Min int
			InService      []string `json:"in_service"`
		}
		PlatformReleased string `json:"platform_released"`
	}
	require.NoError(t, json.Unmarshal(out, &got), "%s", out)
	assert.Equal(t, "arn:aws:elasticbeanstalk:us-east-1::platform/Docker running on 64bit Amazon Linux 2023/4.13.1", got.Platform)
	assert.Equal(t, "Launching", got.Created.Status)
	assert.Equal(t, "py-live.us-east-1.elasticbeanstalk.com", got.Created.Cname)
	assert.Equal(t, "Ready", got.Ready.Status)
	assert.True(t, got.Ready.CreatedIsDatetime)
	assert.Equal(t, 5, got.EventsPage)
	assert.True(t, got.HasNextToken)
	assert.Equal(t, "Successfully launched environment: py-v1", got.NewestEvent, "basic health turns Green without an event")
	assert.Equal(t, CodeInvalidParameterValue, got.Duplicate)
	assert.Equal(t, CodeInvalidParameterValue, got.InUse)
	assert.Equal(t, CodeInvalidParameterCombination, got.MissingBundle)
	assert.Equal(t, 1, got.Capacity.Instances)
	assert.Equal(t, 1, got.Capacity.Min)
	assert.Equal(t, []string{"InService"}, got.Capacity.InService)
	assert.Equal(t, "2026-10-02", got.PlatformReleased)
}
