package beanstalk

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/internal/paging"
)

// The read calls of a deploy and a prune besides polling. They go through
// the Monitor too, so that its budget and retries cover every read.

// ApplicationsAPI reads applications; *elasticbeanstalk.Client satisfies it.
type ApplicationsAPI interface {
	DescribeApplications(ctx context.Context, in *eb.DescribeApplicationsInput, optFns ...func(*eb.Options)) (*eb.DescribeApplicationsOutput, error)
}

// VersionsAPI reads application versions; *elasticbeanstalk.Client satisfies it.
type VersionsAPI interface {
	DescribeApplicationVersions(ctx context.Context, in *eb.DescribeApplicationVersionsInput, optFns ...func(*eb.Options)) (*eb.DescribeApplicationVersionsOutput, error)
}

func (m *Monitor) applicationExists(ctx context.Context, api ApplicationsAPI, app string) (bool, error) {
	out, err := call(ctx, m, "describe application "+app, func() (*eb.DescribeApplicationsOutput, error) {
		return api.DescribeApplications(ctx, &eb.DescribeApplicationsInput{ApplicationNames: []string{app}})
	})
	if err != nil {
		return false, err
	}
	for _, a := range out.Applications {
		if aws.ToString(a.ApplicationName) == app {
			return true, nil
		}
	}
	return false, nil
}

func (m *Monitor) versionExists(ctx context.Context, api VersionsAPI, app, label string) (bool, error) {
	out, err := call(ctx, m, "describe version "+label, func() (*eb.DescribeApplicationVersionsOutput, error) {
		return api.DescribeApplicationVersions(ctx, &eb.DescribeApplicationVersionsInput{ApplicationName: aws.String(app), VersionLabels: []string{label}})
	})
	if err != nil {
		return false, err
	}
	return len(out.ApplicationVersions) > 0, nil
}

// versions lists every version of app, all pages.
func (m *Monitor) versions(ctx context.Context, api VersionsAPI, app string) ([]types.ApplicationVersionDescription, error) {
	in := &eb.DescribeApplicationVersionsInput{ApplicationName: aws.String(app)}
	var all []types.ApplicationVersionDescription
	pages := paging.Tokens{What: "describe versions of " + app}
	for {
		out, err := call(ctx, m, pages.What, func() (*eb.DescribeApplicationVersionsOutput, error) {
			return api.DescribeApplicationVersions(ctx, in)
		})
		if err != nil {
			return nil, err
		}
		all = append(all, out.ApplicationVersions...)
		token, err := pages.Next(out.NextToken)
		if err != nil {
			return nil, err
		}
		if token == "" {
			return all, nil
		}
		in.NextToken = aws.String(token)
	}
}
