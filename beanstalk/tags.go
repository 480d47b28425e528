package beanstalk

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// Tags beanswap puts on the environments it creates.
const (
	TagManagedBy = "beanswap:managed-by"
	TagService   = "beanswap:service"
	TagVersion   = "beanswap:version"
	TagImage     = "beanswap:image"
	// TagWentLive records when an environment took the live CNAME and was
	// verified there. It tells an environment kept for rollback (it was
	// live) from a candidate a failed or interrupted deploy left behind
	// (it never was). Whatever puts an environment on the live CNAME
	// writes it: a first deploy once accepted, a swap once verified, and
	// a swap also on the environment it takes the CNAME from, if missing.
	TagWentLive = "beanswap:went-live"
)

// TagsAPI reads and writes environment tags; *elasticbeanstalk.Client
// satisfies it.
type TagsAPI interface {
	ListTagsForResource(ctx context.Context, in *eb.ListTagsForResourceInput, optFns ...func(*eb.Options)) (*eb.ListTagsForResourceOutput, error)
	UpdateTagsForResource(ctx context.Context, in *eb.UpdateTagsForResourceInput, optFns ...func(*eb.Options)) (*eb.UpdateTagsForResourceOutput, error)
}

// MarkLive tags env as having gone live at t. Marking protects: pruning
// keeps marked environments for rollback.
func MarkLive(ctx context.Context, api TagsAPI, env types.EnvironmentDescription, t time.Time) error {
	_, err := api.UpdateTagsForResource(ctx, &eb.UpdateTagsForResourceInput{
		ResourceArn: env.EnvironmentArn,
		TagsToAdd:   []types.Tag{{Key: aws.String(TagWentLive), Value: aws.String(t.UTC().Format(time.RFC3339))}},
	})
	if err != nil {
		return fmt.Errorf("tag %s as live: %w", aws.ToString(env.EnvironmentName), translate(err))
	}
	return nil
}

// environmentTags are the tags of a new environment of service.
func environmentTags(service string, extra map[string]string, label, image string) []types.Tag {
	tags := []types.Tag{
		{Key: aws.String(TagManagedBy), Value: aws.String("beanswap")},
		{Key: aws.String(TagService), Value: aws.String(service)},
		{Key: aws.String(TagVersion), Value: aws.String(label)},
		{Key: aws.String(TagImage), Value: aws.String(truncate(image, 256))},
	}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(extra[k])})
	}
	return tags
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
