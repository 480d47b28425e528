package beanstalktest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/internal/dotted"
)

// platform is one entry of the simulated catalogue.
type platform struct {
	branch    string // PlatformBranchName
	name      string // PlatformName, e.g. "Docker running on 64bit Amazon Linux 2023"
	version   string
	stack     string // solution stack name
	lifecycle string // "Recommended" or ""
	category  string
	os, osVer string
	released  time.Time // DateCreated
}

// Platforms lists the simulated platform catalogue: a few versions of the
// Docker branches and one other branch, so that filters matter.
var catalogue = []platform{
	{branch: "Docker running on 64bit Amazon Linux 2023", name: "Docker running on 64bit Amazon Linux 2023", version: "4.13.1", stack: "64bit Amazon Linux 2023 v4.13.1 running Docker", lifecycle: "Recommended", category: "Docker", os: "Amazon Linux", osVer: "2023", released: day(2026, 10, 2)},
	{branch: "Docker running on 64bit Amazon Linux 2023", name: "Docker running on 64bit Amazon Linux 2023", version: "4.12.0", stack: "64bit Amazon Linux 2023 v4.12.0 running Docker", category: "Docker", os: "Amazon Linux", osVer: "2023", released: day(2025, 9, 10)},
	{branch: "Docker running on 64bit Amazon Linux 2023", name: "Docker running on 64bit Amazon Linux 2023", version: "4.9.2", stack: "64bit Amazon Linux 2023 v4.9.2 running Docker", category: "Docker", os: "Amazon Linux", osVer: "2023", released: day(2025, 2, 13)},
	{branch: "Docker running on 64bit Amazon Linux 2", name: "Docker running on 64bit Amazon Linux 2", version: "3.10.1", stack: "64bit Amazon Linux 2 v3.10.1 running Docker", lifecycle: "Recommended", category: "Docker", os: "Amazon Linux", osVer: "2", released: day(2025, 4, 10)},
	{branch: "ECS running on 64bit Amazon Linux 2023", name: "ECS running on 64bit Amazon Linux 2023", version: "4.5.0", stack: "64bit Amazon Linux 2023 v4.5.0 running ECS", lifecycle: "Recommended", category: "Docker", os: "Amazon Linux", osVer: "2023", released: day(2025, 5, 1)},
	{branch: "Python 3.12 running on 64bit Amazon Linux 2023", name: "Python 3.12 running on 64bit Amazon Linux 2023", version: "4.6.0", stack: "64bit Amazon Linux 2023 v4.6.0 running Python 3.12", lifecycle: "Recommended", category: "Python", os: "Amazon Linux", osVer: "2023", released: day(2025, 6, 1)},
}

func (st *state) platformArn(p platform) string {
	return fmt.Sprintf("arn:aws:elasticbeanstalk:%s::platform/%s/%s", st.region, p.name, p.version)
}

// findPlatform resolves a solution stack name or a platform ARN.
func (st *state) findPlatform(stack, arn string) (platform, bool) {
	for _, p := range catalogue {
		if (stack != "" && p.stack == stack) || (arn != "" && st.platformArn(p) == arn) {
			return p, true
		}
	}
	return platform{}, false
}

func (st *state) summary(p platform) types.PlatformSummary {
	s := types.PlatformSummary{
		PlatformArn:                  aws.String(st.platformArn(p)),
		PlatformBranchName:           aws.String(p.branch),
		PlatformVersion:              aws.String(p.version),
		PlatformCategory:             aws.String(p.category),
		PlatformOwner:                aws.String("AWSElasticBeanstalk"),
		PlatformStatus:               types.PlatformStatusReady,
		OperatingSystemName:          aws.String(p.os),
		OperatingSystemVersion:       aws.String(p.osVer),
		SupportedTierList:            []string{"WebServer/Standard", "Worker/SQS/HTTP"},
		SupportedAddonList:           []string{"Log/S3", "Monitoring/Healthd"},
		PlatformBranchLifecycleState: aws.String("Supported"),
	}
	if p.lifecycle != "" {
		s.PlatformLifecycleState = aws.String(p.lifecycle)
	}
	return s
}

func (st *state) listPlatformVersions(c call, in *eb.ListPlatformVersionsInput) (*eb.ListPlatformVersionsOutput, error) {
	var all []types.PlatformSummary
	for _, p := range catalogue {
		ok, err := st.platformMatches(p, in.Filters)
		if err != nil {
			return nil, err
		}
		if ok {
			all = append(all, st.summary(p))
		}
	}
	items, next, err := page(all, in.MaxRecords, in.NextToken, 100)
	if err != nil {
		return nil, err
	}
	return &eb.ListPlatformVersionsOutput{PlatformSummaryList: items, NextToken: next}, nil
}

func (st *state) platformMatches(p platform, filters []types.PlatformFilter) (bool, error) {
	for _, f := range filters {
		var field string
		switch aws.ToString(f.Type) {
		case "PlatformName":
			field = p.name
		case "PlatformBranchName":
			field = p.branch
		case "PlatformVersion":
			field = p.version
		case "PlatformLifecycleState":
			field = p.lifecycle
		case "PlatformStatus":
			field = "Ready"
		case "PlatformOwner":
			field = "AWSElasticBeanstalk"
		case "OperatingSystemName":
			field = p.os
		default:
			return false, invalidParam("Invalid filter type %q.", aws.ToString(f.Type))
		}
		op := aws.ToString(f.Operator)
		if op == "" {
			op = "="
		}
		ok := false
		for _, want := range f.Values {
			m, err := compareFilter(field, op, want, aws.ToString(f.Type) == "PlatformVersion")
			if err != nil {
				return false, err
			}
			ok = ok || m
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

func compareFilter(field, op, want string, version bool) (bool, error) {
	switch op {
	case "=":
		return field == want, nil
	case "!=":
		return field != want, nil
	case "contains":
		return strings.Contains(field, want), nil
	case "begins_with":
		return strings.HasPrefix(field, want), nil
	case "ends_with":
		return strings.HasSuffix(field, want), nil
	case "<", "<=", ">", ">=":
		if !version {
			return false, invalidParam("Operator %s only applies to PlatformVersion.", op)
		}
		c := dotted.Compare(field, want)
		return map[string]bool{"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op], nil
	default:
		return false, invalidParam("Invalid filter operator %q.", op)
	}
}

func (st *state) listAvailableSolutionStacks(c call, _ *eb.ListAvailableSolutionStacksInput) (*eb.ListAvailableSolutionStacksOutput, error) {
	out := &eb.ListAvailableSolutionStacksOutput{SolutionStacks: []string{}, SolutionStackDetails: []types.SolutionStackDescription{}}
	for _, p := range catalogue {
		out.SolutionStacks = append(out.SolutionStacks, p.stack)
		out.SolutionStackDetails = append(out.SolutionStackDetails, types.SolutionStackDescription{
			SolutionStackName:  aws.String(p.stack),
			PermittedFileTypes: slices.Clone([]string{"zip", "json"}),
		})
	}
	return out, nil
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func (st *state) describePlatformVersion(c call, in *eb.DescribePlatformVersionInput) (*eb.DescribePlatformVersionOutput, error) {
	arn := aws.ToString(in.PlatformArn)
	if arn == "" {
		return nil, missingParam("PlatformArn")
	}
	p, ok := st.findPlatform("", arn)
	if !ok {
		return nil, invalidParam("No Platform named '%s' found.", arn)
	}
	s := st.summary(p)
	return &eb.DescribePlatformVersionOutput{PlatformDescription: &types.PlatformDescription{
		PlatformArn:                  s.PlatformArn,
		PlatformName:                 aws.String(p.name),
		PlatformVersion:              s.PlatformVersion,
		PlatformBranchName:           s.PlatformBranchName,
		PlatformCategory:             s.PlatformCategory,
		PlatformOwner:                s.PlatformOwner,
		PlatformStatus:               s.PlatformStatus,
		PlatformLifecycleState:       s.PlatformLifecycleState,
		PlatformBranchLifecycleState: s.PlatformBranchLifecycleState,
		SolutionStackName:            aws.String(p.stack),
		OperatingSystemName:          s.OperatingSystemName,
		OperatingSystemVersion:       s.OperatingSystemVersion,
		SupportedTierList:            s.SupportedTierList,
		SupportedAddonList:           s.SupportedAddonList,
		Maintainer:                   aws.String("aws-elasticbeanstalk-platforms@amazon.com"),
		DateCreated:                  aws.Time(p.released),
		DateUpdated:                  aws.Time(p.released),
	}}, nil
}

// nsSecrets holds environment variables fetched from Secrets Manager or
// SSM Parameter Store; platform versions released before secretsSince
// do not know the namespace.
const nsSecrets = "aws:elasticbeanstalk:application:environmentsecrets"

var secretsSince = time.Date(2025, 3, 26, 0, 0, 0, 0, time.UTC)

var secretARN = regexp.MustCompile(`^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:.+|ssm:[a-z0-9-]+:\d{12}:parameter/.+)$`)

// validateSecretRefs rejects environment secrets on a platform that
// predates them, and values that are not secret or parameter ARNs.
func validateSecretRefs(p platform, opts []types.ConfigurationOptionSetting) error {
	for _, o := range opts {
		if aws.ToString(o.Namespace) != nsSecrets {
			continue
		}
		if p.released.Before(secretsSince) {
			return invalidParam("Configuration validation exception: Invalid option specification (Namespace: '%s', OptionName: '%s'): Unknown configuration setting.", nsSecrets, aws.ToString(o.OptionName))
		}
		if !secretARN.MatchString(aws.ToString(o.Value)) {
			return invalidParam("Configuration validation exception: Invalid option value: '%s' (Namespace: '%s', OptionName: '%s'): Value must be the ARN of a Secrets Manager secret or an SSM parameter.", aws.ToString(o.Value), nsSecrets, aws.ToString(o.OptionName))
		}
	}
	return nil
}
