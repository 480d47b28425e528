package beanstalktest

import (
	"fmt"
	"slices"
	"strings"

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
}

// Platforms lists the simulated platform catalogue: a few versions of the
// Docker branches and one other branch, so that filters matter.
var catalogue = []platform{
	{branch: "Docker running on 64bit Amazon Linux 2023", name: "Docker running on 64bit Amazon Linux 2023", version: "4.13.1", stack: "64bit Amazon Linux 2023 v4.13.1 running Docker", lifecycle: "Recommended", category: "Docker", os: "Amazon Linux", osVer: "2023"},
	{branch: "Docker running on 64bit Amazon Linux 2023", name: "Docker running on 64bit Amazon Linux 2023", version: "4.12.0", stack: "64bit Amazon Linux 2023 v4.12.0 running Docker", category: "Docker", os: "Amazon Linux", osVer: "2023"},
	{branch: "Docker running on 64bit Amazon Linux 2023", name: "Docker running on 64bit Amazon Linux 2023", version: "4.9.2", stack: "64bit Amazon Linux 2023 v4.9.2 running Docker", category: "Docker", os: "Amazon Linux", osVer: "2023"},
	{branch: "Docker running on 64bit Amazon Linux 2", name: "Docker running on 64bit Amazon Linux 2", version: "3.10.1", stack: "64bit Amazon Linux 2 v3.10.1 running Docker", lifecycle: "Recommended", category: "Docker", os: "Amazon Linux", osVer: "2"},
	{branch: "ECS running on 64bit Amazon Linux 2023", name: "ECS running on 64bit Amazon Linux 2023", version: "4.5.0", stack: "64bit Amazon Linux 2023 v4.5.0 running ECS", lifecycle: "Recommended", category: "Docker", os: "Amazon Linux", osVer: "2023"},
	{branch: "Python 3.12 running on 64bit Amazon Linux 2023", name: "Python 3.12 running on 64bit Amazon Linux 2023", version: "4.6.0", stack: "64bit Amazon Linux 2023 v4.6.0 running Python 3.12", lifecycle: "Recommended", category: "Python", os: "Amazon Linux", osVer: "2023"},
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
