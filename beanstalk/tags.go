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

	"github.com/beanswap/beanswap/progress"
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
	// TagAccepted records when a staged deploy's environment passed its
	// acceptance checks; it waits, never live, to be promoted.
	TagAccepted = "beanswap:accepted"
)

// TagsAPI reads and writes environment tags; *elasticbeanstalk.Client
// satisfies it.
type TagsAPI interface {
	ListTagsForResource(ctx context.Context, in *eb.ListTagsForResourceInput, optFns ...func(*eb.Options)) (*eb.ListTagsForResourceOutput, error)
	UpdateTagsForResource(ctx context.Context, in *eb.UpdateTagsForResourceInput, optFns ...func(*eb.Options)) (*eb.UpdateTagsForResourceOutput, error)
}

// MarkLive tags env (of app) as having gone live at t. Marking protects:
// pruning keeps marked environments for rollback. Beanstalk applies tags
// with an environment update, one at a time: while env is busy (launching,
// updating, another tag write), MarkLive waits for it, within o.Timeout
// (default 10 minutes), and says so. The update the tag write starts is
// not waited for.
func (m *Monitor) MarkLive(ctx context.Context, api TagsAPI, app string, env types.EnvironmentDescription, t time.Time, o WaitOptions) error {
	return m.stamp(ctx, api, app, env, TagWentLive, "live", t, o)
}

// markAccepted tags env as staged: accepted at t, waiting to be promoted.
func (m *Monitor) markAccepted(ctx context.Context, api TagsAPI, app string, env types.EnvironmentDescription, t time.Time, o WaitOptions) error {
	return m.stamp(ctx, api, app, env, TagAccepted, "accepted", t, o)
}

// stamp tags env with key = t, once env is idle (whenIdle), and forgets
// what was known of its tags.
func (m *Monitor) stamp(ctx context.Context, api TagsAPI, app string, env types.EnvironmentDescription, key, as string, t time.Time, o WaitOptions) error {
	name := aws.ToString(env.EnvironmentName)
	return m.whenIdle(ctx, app, name, "tag", "tag "+name+" as "+as, o, func() error {
		_, err := api.UpdateTagsForResource(ctx, &eb.UpdateTagsForResourceInput{
			ResourceArn: env.EnvironmentArn,
			TagsToAdd:   []types.Tag{{Key: aws.String(key), Value: aws.String(t.UTC().Format(time.RFC3339))}},
		})
		m.forgetTags(aws.ToString(env.EnvironmentArn))
		return err
	})
}

// whenIdle runs write, an environment update of env; while env is busy
// (launching, updating, another write), it waits for env to be Ready and
// tries again, within o.Timeout (default 10 minutes), and says so. The
// update write starts is not waited for.
func (m *Monitor) whenIdle(ctx context.Context, app, env, step, what string, o WaitOptions, write func() error) error {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	deadline := m.clock.Now().Add(o.Timeout)
	for {
		err := write()
		if err == nil {
			return nil
		}
		left := deadline.Sub(m.clock.Now())
		if !isBusy(err) || left <= 0 {
			return fmt.Errorf("%s: %w", what, translate(err))
		}
		o.Observer.Emit(progress.Info{At: m.clock.Now(), Step: step, Message: fmt.Sprintf("%s is busy (an update in progress): waiting to %s (up to %s)", env, what, left.Round(time.Second))})
		ready := func(envs map[string]types.EnvironmentDescription) (bool, error) {
			e, ok := envs[env]
			if ok && (e.Status == types.EnvironmentStatusTerminating || e.Status == types.EnvironmentStatusTerminated) {
				return false, fmt.Errorf("%s: it is %s", what, e.Status)
			}
			return ok && e.Status == types.EnvironmentStatusReady, nil
		}
		wo := o
		wo.Timeout, wo.Propagation, wo.IgnoreErrorEvents = left, DefaultPropagation, true
		if _, err := m.Wait(ctx, app, []string{env}, "to be Ready", ready, wo); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
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
