package main

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/beanswap/beanswap"
)

// fakeRoute53 is one hosted zone in memory, whose changes can be made to
// fail (the simulator serves no Route53).
type fakeRoute53 struct {
	mu      sync.Mutex
	records map[string]r53types.ResourceRecordSet
	failing bool
}

func newFakeRoute53() *fakeRoute53 {
	return &fakeRoute53{records: map[string]r53types.ResourceRecordSet{}}
}

func (f *fakeRoute53) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.records = map[string]r53types.ResourceRecordSet{}
}

func (f *fakeRoute53) setFailing(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failing = on
}

func (f *fakeRoute53) ListResourceRecordSets(_ context.Context, in *route53.ListResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &route53.ListResourceRecordSetsOutput{}
	if rr, ok := f.records[strings.ToLower(aws.ToString(in.StartRecordName))]; ok {
		out.ResourceRecordSets = append(out.ResourceRecordSets, rr)
	}
	return out, nil
}

func (f *fakeRoute53) ChangeResourceRecordSets(_ context.Context, in *route53.ChangeResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing {
		return nil, errors.New("route53: simulated outage")
	}
	for _, c := range in.ChangeBatch.Changes {
		rr := *c.ResourceRecordSet
		f.records[strings.ToLower(aws.ToString(rr.Name))] = rr
	}
	return &route53.ChangeResourceRecordSetsOutput{ChangeInfo: &r53types.ChangeInfo{Id: aws.String("/change/C1"), Status: r53types.ChangeStatusInsync}}, nil
}

func (f *fakeRoute53) GetChange(context.Context, *route53.GetChangeInput, ...func(*route53.Options)) (*route53.GetChangeOutput, error) {
	return &route53.GetChangeOutput{ChangeInfo: &r53types.ChangeInfo{Id: aws.String("/change/C1"), Status: r53types.ChangeStatusInsync}}, nil
}

// crashingS3 is the S3 client of a process that dies: once dead, it no
// longer deletes anything, so the deploy lease stays behind.
type crashingS3 struct {
	beanswap.S3API
	mu   sync.Mutex
	dead bool
}

func (c *crashingS3) die() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dead = true
}

func (c *crashingS3) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, o ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	c.mu.Lock()
	dead := c.dead
	c.mu.Unlock()
	if dead {
		return &s3.DeleteObjectOutput{}, nil
	}
	return c.S3API.DeleteObject(ctx, in, o...)
}
