package beanstalk

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(name, cname string, status types.EnvironmentStatus) types.EnvironmentDescription {
	return types.EnvironmentDescription{
		EnvironmentName: aws.String(name), CNAME: aws.String(cname), Status: status,
		EndpointURL: aws.String("awseb-" + name + ".us-east-1.elb.amazonaws.com"),
	}
}

func cnameRecord(host, target string) *route53.ListResourceRecordSetsOutput {
	return &route53.ListResourceRecordSetsOutput{ResourceRecordSets: []r53types.ResourceRecordSet{
		{Name: aws.String("other.example.com."), Type: r53types.RRTypeA},
		{Name: aws.String(host), Type: r53types.RRTypeCname, ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(target)}}},
	}}
}

func TestFindLive(t *testing.T) {
	ready, gone := types.EnvironmentStatusReady, types.EnvironmentStatusTerminated
	envs := []types.EnvironmentDescription{
		env("hello-a", "hello.us-east-1.elasticbeanstalk.com", ready),
		env("hello-b", "hello-b.us-east-1.elasticbeanstalk.com", ready),
		env("hello-old", "hello.us-east-1.elasticbeanstalk.com", gone),
	}
	tests := map[string]struct {
		envs    []types.EnvironmentDescription
		spec    LiveSpec
		records RecordsAPI
		want    string
		how     string
		err     string
		is      error
	}{
		"regional prefix":          {envs: envs, spec: LiveSpec{CNAMEPrefix: "hello"}, want: "hello-a", how: "CNAME prefix hello"},
		"prefix is case-blind":     {envs: envs, spec: LiveSpec{CNAMEPrefix: "Hello"}, want: "hello-a"},
		"legacy form":              {envs: []types.EnvironmentDescription{env("old", "Hello.ElasticBeanstalk.com.", ready)}, spec: LiveSpec{CNAMEPrefix: "hello"}, want: "old"},
		"prefix of another prefix": {envs: []types.EnvironmentDescription{env("x", "hello-b.us-east-1.elasticbeanstalk.com", ready)}, spec: LiveSpec{CNAMEPrefix: "hello"}, want: ""},
		"terminated is not live":   {envs: envs[2:], spec: LiveSpec{CNAMEPrefix: "hello"}, want: "", how: "held by no environment"},
		"ambiguous": {envs: []types.EnvironmentDescription{env("a", "hello.us-east-1.elasticbeanstalk.com", ready), env("b", "hello.elasticbeanstalk.com", ready)},
			spec: LiveSpec{CNAMEPrefix: "hello"}, is: ErrAmbiguousLive, err: "a (hello.us-east-1.elasticbeanstalk.com), b (hello.elasticbeanstalk.com)"},
		"route53 CNAME": {envs: envs, spec: LiveSpec{CNAMEPrefix: "hello", ZoneID: "Z1", Host: "api.example.com"},
			records: fakeRecords{out: cnameRecord("api.example.com.", "hello-b.us-east-1.elasticbeanstalk.com.")}, want: "hello-b", how: "Route53 CNAME record api.example.com → hello-b.us-east-1.elasticbeanstalk.com"},
		"route53 alias to the load balancer": {envs: envs, spec: LiveSpec{CNAMEPrefix: "hello", ZoneID: "Z1", Host: "api.example.com"},
			records: fakeRecords{out: &route53.ListResourceRecordSetsOutput{ResourceRecordSets: []r53types.ResourceRecordSet{{
				Name: aws.String("api.example.com."), Type: r53types.RRTypeA, AliasTarget: &r53types.AliasTarget{DNSName: aws.String("dualstack.awseb-hello-b.us-east-1.elb.amazonaws.com.")},
			}}}}, want: "hello-b", how: "alias A"},
		"route53 record missing falls back to the prefix": {envs: envs, spec: LiveSpec{CNAMEPrefix: "hello", ZoneID: "Z1", Host: "api.example.com"},
			records: fakeRecords{out: cnameRecord("www.example.com.", "x")}, want: "hello-a"},
		"route53 record at a CNAME nobody holds": {envs: envs[1:], spec: LiveSpec{CNAMEPrefix: "hello", ZoneID: "Z1", Host: "api.example.com"},
			records: fakeRecords{out: cnameRecord("api.example.com.", "hello.us-east-1.elasticbeanstalk.com")}, want: ""},
		"route53 record elsewhere": {envs: envs, spec: LiveSpec{CNAMEPrefix: "hello", ZoneID: "Z1", Host: "api.example.com"},
			records: fakeRecords{out: cnameRecord("api.example.com.", "lb.example.net")}, err: "which is no Elastic Beanstalk environment"},
		"route53 fails": {envs: envs, spec: LiveSpec{CNAMEPrefix: "hello", ZoneID: "Z1", Host: "api.example.com"},
			records: fakeRecords{err: errors.New("AccessDenied")}, err: "read Route53 record api.example.com in zone Z1: AccessDenied"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			live, err := FindLive(context.Background(), tc.envs, tc.spec, tc.records)
			if tc.err != "" || tc.is != nil {
				require.Error(t, err)
				assert.ErrorContains(t, err, tc.err)
				if tc.is != nil {
					assert.ErrorIs(t, err, tc.is)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, live.Name())
			assert.Contains(t, live.How, tc.how)
		})
	}
}
