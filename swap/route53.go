package swap

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/beanswap/beanswap/beanstalk"
)

// RecordsAPI is what the Route53 update calls; *route53.Client satisfies it.
type RecordsAPI interface {
	ListResourceRecordSets(ctx context.Context, in *route53.ListResourceRecordSetsInput, optFns ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error)
	ChangeResourceRecordSets(ctx context.Context, in *route53.ChangeResourceRecordSetsInput, optFns ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error)
	GetChange(ctx context.Context, in *route53.GetChangeInput, optFns ...func(*route53.Options)) (*route53.GetChangeOutput, error)
}

// recordTTL keeps DNS caches short, so a swap back takes effect soon.
const recordTTL = 60

// PointRecord points host, in Route53 zone zoneID, at cname with a CNAME
// record (TTL 60 s) and waits until Route53 reports the change INSYNC.
// It reports whether it changed anything. An existing record of another
// type (an alias at the zone apex, typically) is left alone, with a
// warning: it cannot become a CNAME.
func (s Swapper) PointRecord(ctx context.Context, zoneID, host, cname, env string) (bool, error) {
	return s.pointRecord(ctx, Input{ZoneID: zoneID, Host: host, Candidate: env}.withDefaults(), cname)
}

func (s Swapper) pointRecord(ctx context.Context, in Input, cname string) (bool, error) {
	if s.Route53 == nil {
		return false, errors.New("point Route53 record: no Route53 client")
	}
	host := strings.TrimSuffix(strings.ToLower(in.Host), ".") + "."
	out, err := s.Route53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{
		HostedZoneId: aws.String(in.ZoneID), StartRecordName: aws.String(host), MaxItems: aws.Int32(10),
	})
	if err != nil {
		return false, fmt.Errorf("read record %s in zone %s: %w", in.Host, in.ZoneID, err)
	}
	for _, rr := range out.ResourceRecordSets {
		if !strings.EqualFold(aws.ToString(rr.Name), host) {
			continue
		}
		if rr.Type == r53types.RRTypeCname && len(rr.ResourceRecords) == 1 && beanstalk.SameHost(aws.ToString(rr.ResourceRecords[0].Value), cname) {
			s.Info(Step, fmt.Sprintf("Route53: %s already points at %s", in.Host, cname))
			return false, nil
		}
		if rr.Type != r53types.RRTypeCname {
			s.Warn(Step, fmt.Sprintf("Route53: %s is a %s record, not a CNAME; left unchanged (point it at %s yourself)", in.Host, rr.Type, cname))
			return false, nil
		}
	}
	change, err := s.Route53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(in.ZoneID),
		ChangeBatch: &r53types.ChangeBatch{
			Comment: aws.String("beanswap: " + in.Candidate + " is live"),
			Changes: []r53types.Change{{
				Action: r53types.ChangeActionUpsert,
				ResourceRecordSet: &r53types.ResourceRecordSet{
					Name:            aws.String(host),
					Type:            r53types.RRTypeCname,
					TTL:             aws.Int64(recordTTL),
					ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(cname)}},
				},
			}},
		},
	})
	if err != nil {
		return false, fmt.Errorf("point %s at %s: %w", in.Host, cname, err)
	}
	id := aws.ToString(change.ChangeInfo.Id)
	s.Info(Step, fmt.Sprintf("Route53: %s → %s (change %s)", in.Host, cname, id))
	timeout := in.DNSTimeout
	deadline := s.Clocked().Now().Add(timeout)
	status := change.ChangeInfo.Status
	for delay := 2 * time.Second; status != r53types.ChangeStatusInsync; delay = min(delay*2, 15*time.Second) {
		if !s.Clocked().Now().Before(deadline) {
			return true, fmt.Errorf("change %s of %s still %s after %s", id, in.Host, status, timeout)
		}
		if err := s.Clocked().Sleep(ctx, delay); err != nil {
			return true, fmt.Errorf("wait for change %s of %s: %w", id, in.Host, err)
		}
		got, err := s.Route53.GetChange(ctx, &route53.GetChangeInput{Id: aws.String(id)})
		if err != nil {
			return true, fmt.Errorf("read change %s of %s: %w", id, in.Host, err)
		}
		status = got.ChangeInfo.Status
	}
	s.Info(Step, fmt.Sprintf("Route53: change %s is INSYNC", id))
	return true, nil
}
