package awstest

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestResourcesAreDeleted: what a test creates through these helpers is
// gone once it ends, objects and records included.
func TestResourcesAreDeleted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto_server")
	}
	ep := StartMoto(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(ep.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	r53 := route53.NewFromConfig(ep.Config())

	var bucket, zone string
	t.Run("a test that leaves things behind", func(t *testing.T) {
		bucket = Bucket(t, s3c, "awstest")
		for _, key := range []string{"a", "b/c"} {
			if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("x")}); err != nil {
				t.Fatal(err)
			}
		}
		zone = HostedZone(t, r53, "cleanup.example.com")
		_, err := r53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zone), ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{
			Action: r53types.ChangeActionUpsert, ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String("api.cleanup.example.com."), Type: r53types.RRTypeCname, TTL: aws.Int64(60),
				ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("x.elasticbeanstalk.com")}}},
		}}}})
		if err != nil {
			t.Fatal(err)
		}
	})
	if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err == nil {
		t.Errorf("bucket %s still exists", bucket)
	}
	if _, err := r53.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(zone)}); err == nil {
		t.Errorf("hosted zone %s still exists", zone)
	}
}
