package beanstalk

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/internal/dotted"
	"github.com/beanswap/beanswap/internal/paging"
)

// Platform is what CreateEnvironment runs on: a platform ARN or a
// solution stack name, never both.
type Platform struct {
	ARN               string
	SolutionStackName string
}

func (p Platform) String() string {
	if p.ARN != "" {
		return p.ARN
	}
	return p.SolutionStackName
}

// PlatformLister lists platform versions; *elasticbeanstalk.Client
// satisfies it.
type PlatformLister interface {
	ListPlatformVersions(ctx context.Context, in *eb.ListPlatformVersionsInput, optFns ...func(*eb.Options)) (*eb.ListPlatformVersionsOutput, error)
}

// resolvePlatform returns the configured platform when there is one (an
// ARN, or else a solution stack name), and otherwise the version of
// branch that Beanstalk marks Recommended, or else the newest: platform
// versions change every few weeks and are never hard-coded.
func (m *Monitor) resolvePlatform(ctx context.Context, api PlatformLister, configured, branch string) (Platform, error) {
	switch {
	case strings.HasPrefix(configured, "arn:"):
		return Platform{ARN: configured}, nil
	case configured != "":
		return Platform{SolutionStackName: configured}, nil
	}
	in := &eb.ListPlatformVersionsInput{Filters: []types.PlatformFilter{{
		Type: aws.String("PlatformBranchName"), Operator: aws.String("="), Values: []string{branch},
	}}}
	var all []types.PlatformSummary
	pages := paging.Tokens{What: fmt.Sprintf("list platform versions of %q", branch)}
	for {
		out, err := call(ctx, m, pages.What, func() (*eb.ListPlatformVersionsOutput, error) {
			return api.ListPlatformVersions(ctx, in)
		})
		if err != nil {
			return Platform{}, err
		}
		all = append(all, out.PlatformSummaryList...)
		token, err := pages.Next(out.NextToken)
		if err != nil {
			return Platform{}, err
		}
		if token == "" {
			break
		}
		in.NextToken = aws.String(token)
	}
	var best *types.PlatformSummary
	for i := range all {
		p := &all[i]
		if p.PlatformStatus != "" && p.PlatformStatus != types.PlatformStatusReady {
			continue
		}
		if best == nil || better(p, best) {
			best = p
		}
	}
	if best == nil {
		return Platform{}, fmt.Errorf("no platform version of branch %q is available in this region; set aws_platform", branch)
	}
	return Platform{ARN: aws.ToString(best.PlatformArn)}, nil
}

// better prefers Recommended, then the higher version.
func better(a, b *types.PlatformSummary) bool {
	ar, br := aws.ToString(a.PlatformLifecycleState) == "Recommended", aws.ToString(b.PlatformLifecycleState) == "Recommended"
	if ar != br {
		return ar
	}
	return dotted.Compare(aws.ToString(a.PlatformVersion), aws.ToString(b.PlatformVersion)) > 0
}
