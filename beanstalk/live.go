package beanstalk

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// LiveSpec says how to recognise the live environment of a service.
type LiveSpec struct {
	// CNAMEPrefix is the live environment's CNAME prefix ("hello" for
	// hello.us-east-1.elasticbeanstalk.com).
	CNAMEPrefix string
	// ZoneID and Host name the Route53 record of the live host. When set
	// and the record exists, the environment it targets is the live one.
	ZoneID, Host string
}

// Live is the outcome of FindLive.
type Live struct {
	// Environment is the live environment; nil when there is none yet.
	Environment *types.EnvironmentDescription
	// How says how it was found, for people.
	How string
}

// Name returns the live environment's name, or "".
func (l Live) Name() string {
	if l.Environment == nil {
		return ""
	}
	return aws.ToString(l.Environment.EnvironmentName)
}

// FindLive finds the live environment among envs without guessing: the
// target of the live host's Route53 record when a zone is configured,
// else the environment holding the live CNAME prefix, in its regional
// (prefix.REGION.elasticbeanstalk.com) or legacy (prefix.elasticbeanstalk.com)
// form. Several candidates are an ErrAmbiguousLive error naming them.
func FindLive(ctx context.Context, envs []types.EnvironmentDescription, spec LiveSpec, records RecordsAPI) (Live, error) {
	active := activeEnvironments(envs)
	if spec.ZoneID != "" && spec.Host != "" && records != nil {
		target, kind, err := recordTarget(ctx, records, spec.ZoneID, spec.Host)
		if err != nil {
			return Live{}, err
		}
		if target != "" {
			var matches []types.EnvironmentDescription
			for _, e := range active {
				if SameHost(aws.ToString(e.CNAME), target) || SameHost(aws.ToString(e.EndpointURL), target) {
					matches = append(matches, e)
				}
			}
			how := fmt.Sprintf("Route53 %s record %s → %s", kind, spec.Host, target)
			switch len(matches) {
			case 1:
				return Live{Environment: &matches[0], How: how}, nil
			case 0:
				if !isBeanstalkHost(target) {
					return Live{}, fmt.Errorf("find live environment: %s, which is no Elastic Beanstalk environment; point it at the live environment or remove aws_zone_id", how)
				}
				// The record names a CNAME no environment holds (yet):
				// fall through to the prefix, which may be that CNAME.
			default:
				return Live{}, ambiguous(how, matches)
			}
		}
	}
	var matches []types.EnvironmentDescription
	for _, e := range active {
		if holdsPrefix(aws.ToString(e.CNAME), spec.CNAMEPrefix) {
			matches = append(matches, e)
		}
	}
	how := "CNAME prefix " + spec.CNAMEPrefix
	switch len(matches) {
	case 0:
		return Live{How: how + " is held by no environment"}, nil
	case 1:
		return Live{Environment: &matches[0], How: how}, nil
	default:
		return Live{}, ambiguous(how, matches)
	}
}

func ambiguous(how string, envs []types.EnvironmentDescription) error {
	names := make([]string, len(envs))
	for i, e := range envs {
		names[i] = fmt.Sprintf("%s (%s)", aws.ToString(e.EnvironmentName), aws.ToString(e.CNAME))
	}
	return fmt.Errorf("find live environment by %s: %w: %s", how, ErrAmbiguousLive, strings.Join(names, ", "))
}

// activeEnvironments drops terminated and terminating environments.
func activeEnvironments(envs []types.EnvironmentDescription) []types.EnvironmentDescription {
	var out []types.EnvironmentDescription
	for _, e := range envs {
		if e.Status != types.EnvironmentStatusTerminated && e.Status != types.EnvironmentStatusTerminating {
			out = append(out, e)
		}
	}
	return out
}

// holdsPrefix reports whether cname is prefix.REGION.elasticbeanstalk.com
// or prefix.elasticbeanstalk.com.
func holdsPrefix(cname, prefix string) bool {
	cname, prefix = normHost(cname), strings.ToLower(prefix)
	rest, ok := strings.CutPrefix(cname, prefix+".")
	if !ok || prefix == "" {
		return false
	}
	if rest == "elasticbeanstalk.com" {
		return true
	}
	region, ok := strings.CutSuffix(rest, ".elasticbeanstalk.com")
	return ok && region != "" && !strings.Contains(region, ".")
}

func isBeanstalkHost(h string) bool {
	h = normHost(h)
	return strings.HasSuffix(h, ".elasticbeanstalk.com") || strings.HasSuffix(h, ".elb.amazonaws.com")
}

// SameHost reports whether two DNS names are the same, ignoring case, a
// trailing dot and Route53's "dualstack." alias prefix.
func SameHost(a, b string) bool { return a != "" && normHost(a) == normHost(b) }

// normHost lower-cases and drops a trailing dot and the "dualstack."
// prefix Route53 alias targets carry.
func normHost(h string) string {
	h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
	return strings.TrimPrefix(h, "dualstack.")
}

// recordTarget reads the live host's record: a CNAME's value or an alias
// target. It returns "" when the record does not exist.
func recordTarget(ctx context.Context, api RecordsAPI, zoneID, host string) (target, kind string, err error) {
	name := normHost(host) + "."
	out, err := api.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{
		HostedZoneId:    aws.String(zoneID),
		StartRecordName: aws.String(name),
		MaxItems:        aws.Int32(10),
	})
	if err != nil {
		return "", "", fmt.Errorf("read Route53 record %s in zone %s: %w", host, zoneID, err)
	}
	for _, rr := range out.ResourceRecordSets {
		if normHost(aws.ToString(rr.Name))+"." != name {
			continue
		}
		switch {
		case rr.Type == r53types.RRTypeCname && len(rr.ResourceRecords) > 0:
			return normHost(aws.ToString(rr.ResourceRecords[0].Value)), "CNAME", nil
		case rr.AliasTarget != nil && (rr.Type == r53types.RRTypeA || rr.Type == r53types.RRTypeAaaa):
			return normHost(aws.ToString(rr.AliasTarget.DNSName)), "alias " + string(rr.Type), nil
		}
	}
	return "", "", nil
}
