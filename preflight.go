package beanswap

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
)

// ErrNoInstanceProfile means the instances' instance profile does not exist;
// a launch would fail after minutes.
var ErrNoInstanceProfile = errors.New("instance profile does not exist")

// InstanceProfileAPI reads an instance profile; *iam.Client satisfies it.
type InstanceProfileAPI interface {
	GetInstanceProfile(ctx context.Context, in *iam.GetInstanceProfileInput, optFns ...func(*iam.Options)) (*iam.GetInstanceProfileOutput, error)
}

// preflightTimeout bounds the checks: seconds, not a launch's minutes.
const preflightTimeout = 30 * time.Second

// preflight checks, in seconds, what would otherwise fail after a
// ten-minute launch — the instance profile exists; the image exists and
// the credentials the instances will use can pull it — changing nothing.
// It resolves those credentials (dry), for the auth step to write.
func (d *deploy) preflight(ctx context.Context, image string) (dockercfg.Published, error) {
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	src, err := d.readSource()
	if err != nil {
		return dockercfg.Published{}, err
	}
	d.src = src
	if err := d.checkInstanceProfile(ctx); err != nil {
		return dockercfg.Published{}, err
	}
	auth, _, err := d.auth(ctx, image, true, nil)
	if err != nil {
		return auth, fmt.Errorf("%s: %w", StepAuth, err)
	}
	var creds *dockercfg.Credentials
	switch {
	case d.s.Config.DockerAuthFormat == config.AuthFormatNone:
	case auth.Authentication == nil:
		d.rt.Info(StepPreflight, fmt.Sprintf("%s: %s; the image is not checked from here", image, auth.NoAuthReason))
		return auth, nil
	default:
		creds = &auth.Credentials
	}
	err = dockercfg.CheckPull(ctx, image, creds, d.transport())
	switch {
	case errors.Is(err, dockercfg.ErrRegistryUnreachable):
		d.rt.Warn(StepPreflight, fmt.Sprintf("%v: the instances may still reach it; carrying on", err))
	case err != nil:
		return auth, err
	default:
		d.rt.Info(StepPreflight, fmt.Sprintf("%s exists, and the instances' credentials can pull it", image))
	}
	return auth, d.checkPinned(ctx, image, auth)
}

// transport carries registry requests: the Service's HTTP client's.
func (d *deploy) transport() http.RoundTripper {
	if d.s.HTTPClient != nil {
		return d.s.HTTPClient.Transport
	}
	return nil
}

// checkInstanceProfile makes sure the instances' instance profile exists.
func (d *deploy) checkInstanceProfile(ctx context.Context) error {
	profile := d.spec.Environment.InstanceProfile
	api := d.s.Clients.IAM
	if api == nil || profile == "" {
		return nil
	}
	name := profile
	if i := strings.LastIndexByte(name, '/'); strings.HasPrefix(name, "arn:") && i >= 0 {
		name = name[i+1:]
	}
	_, err := api.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)})
	var ae smithy.APIError
	switch {
	case err == nil:
		d.rt.Info(StepPreflight, "instance profile "+name+" exists")
		return nil
	case errors.As(err, &ae) && ae.ErrorCode() == "NoSuchEntity":
		return fmt.Errorf("%w: %s (aws_instance_profile): create it (README, \"AWS prerequisites\"):\n"+
			"  aws iam create-role --role-name %[2]s --assume-role-policy-document '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}'\n"+
			"  aws iam attach-role-policy --role-name %[2]s --policy-arn arn:aws:iam::aws:policy/AWSElasticBeanstalkWebTier\n"+
			"  aws iam create-instance-profile --instance-profile-name %[2]s\n"+
			"  aws iam add-role-to-instance-profile --instance-profile-name %[2]s --role-name %[2]s\n"+
			"or set aws_instance_profile to one that exists", ErrNoInstanceProfile, name)
	default:
		d.rt.Warn(StepPreflight, fmt.Sprintf("could not check instance profile %s (%v); carrying on", name, err))
		return nil
	}
}
