package beanswap

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/internal/awstest"
	"github.com/beanswap/beanswap/progress"
)

// TestRoute53LiveHost deploys twice with a hosted zone configured:
// Beanstalk is the simulator, Route53 is moto (or AWS_ENDPOINT_URL). The
// first deploy creates the live host's record, the second finds the live
// environment through it.
func TestRoute53LiveHost(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts moto_server")
	}
	ep := awstest.Start(t)
	r53 := route53.NewFromConfig(ep.Config())
	ctx := context.Background()
	zoneID := awstest.HostedZone(t, r53, "hello.example.com")

	h := newHarness(t, func(c *config.Config) { c.AWSZoneID = zoneID })
	run := func(image string) *Report {
		p := h.pipeline(image)
		p.Clients.Route53 = r53
		report, err := p.Run(ctx)
		require.NoError(t, err)
		return report
	}
	record := func() string {
		out, err := r53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)})
		require.NoError(t, err)
		for _, rr := range out.ResourceRecordSets {
			if aws.ToString(rr.Name) == "api.hello.example.com." && rr.Type == r53types.RRTypeCname {
				return aws.ToString(rr.ResourceRecords[0].Value)
			}
		}
		return ""
	}

	r1 := run("registry.example.com/team/hello:1.0.0")
	assert.Equal(t, "hello.us-east-1.elasticbeanstalk.com", record(), "the first deploy points the live host at the live CNAME")

	r2 := run("registry.example.com/team/hello:1.1.0")
	assert.Contains(t, r2.Deployment.Live.How, "Route53 CNAME record api.hello.example.com → hello.us-east-1.elasticbeanstalk.com")
	assert.Equal(t, r1.Live, r2.Swap.Previous)
	assert.False(t, r2.Swap.RecordChanged, "the live CNAME moved with the swap; the record already points at it")
	assert.Equal(t, "hello.us-east-1.elasticbeanstalk.com", record())

	// A record pointing at an environment outside Beanstalk is refused.
	_, err := r53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{
		Action: r53types.ChangeActionUpsert, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String("api.hello.example.com."), Type: r53types.RRTypeCname, TTL: aws.Int64(60),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("legacy.example.net")}}},
	}}}})
	require.NoError(t, err)
	p := h.pipeline("registry.example.com/team/hello:1.2.0")
	p.Clients.Route53 = r53
	p.Observer = (&progress.Recorder{}).Observe
	_, err = p.Run(ctx)
	assert.ErrorContains(t, err, "Route53 CNAME record api.hello.example.com → legacy.example.net, which is no Elastic Beanstalk environment")
}
