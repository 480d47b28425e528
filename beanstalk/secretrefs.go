package beanstalk

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
)

// NamespaceSecretRefs holds container environment variables whose values
// the instances fetch from Secrets Manager or SSM Parameter Store when
// they boot: the values never pass through beanswap or Beanstalk's
// configuration.
const NamespaceSecretRefs = "aws:elasticbeanstalk:application:environmentsecrets"

// secretRefsSince is the first platform release date that supports
// NamespaceSecretRefs (AWS's "Fetching secrets and parameters to Elastic
// Beanstalk environment variables").
func secretRefsSince() time.Time { return time.Date(2025, 3, 26, 0, 0, 0, 0, time.UTC) }

// ErrSecretRefsUnsupported means the platform predates secret references.
var ErrSecretRefsUnsupported = errors.New("the platform version does not support secret references")

// secretRefPattern matches a Secrets Manager secret or an SSM parameter ARN.
var secretRefPattern = regexp.MustCompile(`^arn:aws(-cn|-us-gov|-iso|-iso-b)?:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[^\s]+|ssm:[a-z0-9-]+:\d{12}:parameter/[^\s]+)$`)

// CheckSecretRef says what is wrong with arn as a secret reference: it
// must be the full ARN of a Secrets Manager secret or an SSM parameter.
// A value that is no ARN at all may be the secret itself, pasted in the
// wrong place: it is not repeated.
func CheckSecretRef(arn string) error {
	if secretRefPattern.MatchString(arn) {
		return nil
	}
	shown := "the value (not shown: it may be the secret itself)"
	if strings.HasPrefix(arn, "arn:") {
		shown = fmt.Sprintf("%q", arn)
	}
	return fmt.Errorf("%s: expected a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME) or an SSM parameter ARN (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME)", shown)
}

// secretRefOptions are the settings of refs, by variable name.
func secretRefOptions(refs map[string]string) []OptionSetting {
	out := make([]OptionSetting, 0, len(refs))
	for _, name := range slices.Sorted(maps.Keys(refs)) {
		out = append(out, OptionSetting{Namespace: NamespaceSecretRefs, Name: name, Value: refs[name]})
	}
	return out
}

// PlatformDescriber describes a platform version; *elasticbeanstalk.Client
// satisfies it.
type PlatformDescriber interface {
	DescribePlatformVersion(ctx context.Context, in *eb.DescribePlatformVersionInput, optFns ...func(*eb.Options)) (*eb.DescribePlatformVersionOutput, error)
}

// checkSecretRefsPlatform refuses a platform released before secret
// references existed: the instances would start without the variables.
// A solution stack name cannot be dated (DescribePlatformVersion takes
// ARNs only); that is a warning.
func (m *Monitor) checkSecretRefsPlatform(ctx context.Context, api PlatformDescriber, p Platform) (warning string, err error) {
	since := secretRefsSince().Format(time.DateOnly)
	if p.ARN == "" {
		return fmt.Sprintf("secret references need a platform version released on or after %s; solution stack %q cannot be checked: set aws_platform to a platform ARN to have it checked", since, p.SolutionStackName), nil
	}
	out, err := call(ctx, m, "describe platform "+p.ARN, func() (*eb.DescribePlatformVersionOutput, error) {
		return api.DescribePlatformVersion(ctx, &eb.DescribePlatformVersionInput{PlatformArn: aws.String(p.ARN)})
	})
	if err != nil {
		return "", err
	}
	if out.PlatformDescription == nil || out.PlatformDescription.DateCreated == nil {
		return fmt.Sprintf("secret references need a platform version released on or after %s; Beanstalk gave no release date for %s", since, p.ARN), nil
	}
	if released := *out.PlatformDescription.DateCreated; released.Before(secretRefsSince()) {
		return "", fmt.Errorf("%w: %s was released on %s, secret references (env_secret_refs) need a version released on or after %s: choose a newer aws_platform, or leave it unset for the branch's recommended version",
			ErrSecretRefsUnsupported, p.ARN, released.UTC().Format(time.DateOnly), since)
	}
	return "", nil
}
