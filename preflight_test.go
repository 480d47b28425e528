package beanswap

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/internal/awstest"
)

// TestPreflightRefusesBeforeAnythingChanges: a missing image, credentials
// the instances could not pull with, a missing instance profile — each
// would fail after a ten-minute launch; the preflight says so in
// seconds, before the lock, the auth file or any Beanstalk write, and the
// dry run says the same.
func TestPreflightRefusesBeforeAnythingChanges(t *testing.T) {
	tests := map[string]struct {
		setup func(h *harness) string // returns the image
		is    error
		text  string
	}{
		"image not pushed": {
			setup: func(h *harness) string { return "registry.example.com/team/hello:9.9.9" },
			is:    dockercfg.ErrImageNotFound,
		},
		"credentials refused": {
			setup: func(h *harness) string {
				pushImage(h.t, h.sim, "registry.example.com/team/hello:1.0.0")
				h.sim.RequireRegistryAuth("registry.example.com", "deploy", "rotated")
				return "registry.example.com/team/hello:1.0.0"
			},
			is: dockercfg.ErrPullDenied, text: "with the credentials from config.json",
		},
		"instance profile missing": {
			setup: func(h *harness) string {
				pushImage(h.t, h.sim, "registry.example.com/team/hello:1.0.0")
				h.sim.RemoveInstanceProfile("aws-elasticbeanstalk-ec2-role")
				return "registry.example.com/team/hello:1.0.0"
			},
			is: ErrNoInstanceProfile, text: "aws iam create-instance-profile --instance-profile-name aws-elasticbeanstalk-ec2-role",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, nil)
			image := tc.setup(h)
			svc := h.service()
			_, err := svc.Plan(context.Background(), image)
			assert.ErrorIs(t, err, tc.is, "the dry run checks the same")

			calls := h.sim.Calls()
			_, err = svc.Deploy(context.Background(), image)
			require.ErrorIs(t, err, tc.is)
			assert.ErrorContains(t, err, tc.text)
			assert.Equal(t, Invalid, VerdictOf(context.Background(), err), "exit 2: nothing was done")
			assert.Equal(t, calls, h.sim.Calls(), "no Beanstalk call at all")
			s3c := s3.NewFromConfig(h.sim.Config())
			for _, key := range []string{"docker/dockercfg", "beanswap/locks/hello.json"} {
				_, err := s3c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("hello-docker"), Key: aws.String(key)})
				assert.Error(t, err, "%s not written", key)
			}
		})
	}
}

// TestInstanceProfileCheckOnMoto runs the instance profile check against
// moto's IAM (or AWS_ENDPOINT_URL's).
func TestInstanceProfileCheckOnMoto(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts moto_server")
	}
	ep := awstest.Start(t)
	c := iam.NewFromConfig(ep.Config())
	ctx := context.Background()
	name := awstest.UniqueName("beanswap-profile")
	_, err := c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(name)})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = c.DeleteInstanceProfile(context.Background(), &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String(name)})
	})

	h := newHarness(t, nil)
	check := func(profile string) error {
		d := &deploy{s: h.service(), spec: h.cfg.Spec(), report: &Report{}}
		d.s.Clients.IAM = c
		d.rt, _ = d.s.runtime()
		d.spec.Environment.InstanceProfile = profile
		return d.checkInstanceProfile(ctx)
	}
	assert.NoError(t, check(name))
	assert.NoError(t, check("arn:aws:iam::123456789012:instance-profile/"+name), "by ARN")
	assert.ErrorIs(t, check(name+"-missing"), ErrNoInstanceProfile)
}
