package awstest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Resources a test creates are deleted when it ends, so that a run against
// a shared endpoint or a real account leaves nothing behind. Cleanup
// failures are logged, not fatal: the test's own verdict matters more.

// Bucket creates a uniquely named bucket (in the client's region) and
// deletes it, with whatever the test left in it, when the test ends.
func Bucket(t testing.TB, c *s3.Client, prefix string) string {
	t.Helper()
	name := UniqueName(prefix)
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if r := c.Options().Region; r != "" && r != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(r)}
	}
	if _, err := c.CreateBucket(context.Background(), in); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		pages := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(name)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				t.Logf("cleanup: list s3://%s: %v", name, err)
				break
			}
			for _, o := range page.Contents {
				if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(name), Key: o.Key}); err != nil {
					t.Logf("cleanup: delete s3://%s/%s: %v", name, aws.ToString(o.Key), err)
				}
			}
		}
		if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Logf("cleanup: delete bucket %s: %v", name, err)
		}
	})
	return name
}

// HostedZone creates a Route53 hosted zone for domain and deletes it, with
// the records the test wrote, when the test ends. It returns the zone's
// id without the /hostedzone/ prefix.
func HostedZone(t testing.TB, c *route53.Client, domain string) string {
	t.Helper()
	out, err := c.CreateHostedZone(context.Background(), &route53.CreateHostedZoneInput{Name: aws.String(domain), CallerReference: aws.String(UniqueName("beanswap"))})
	if err != nil {
		t.Fatalf("create hosted zone %s: %v", domain, err)
	}
	id := aws.ToString(out.HostedZone.Id)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// A zone is deleted only once it holds nothing but its SOA and NS.
		var changes []r53types.Change
		pages := route53.NewListResourceRecordSetsPaginator(c, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(id)})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				t.Logf("cleanup: list records of %s: %v", id, err)
				break
			}
			for _, rr := range page.ResourceRecordSets {
				if rr.Type != r53types.RRTypeSoa && rr.Type != r53types.RRTypeNs {
					changes = append(changes, r53types.Change{Action: r53types.ChangeActionDelete, ResourceRecordSet: &rr})
				}
			}
		}
		if len(changes) > 0 {
			if _, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(id), ChangeBatch: &r53types.ChangeBatch{Changes: changes}}); err != nil {
				t.Logf("cleanup: delete records of %s: %v", id, err)
			}
		}
		if _, err := c.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(id)}); err != nil {
			t.Logf("cleanup: delete hosted zone %s: %v", id, err)
		}
	})
	return strings.TrimPrefix(id, "/hostedzone/")
}
