package beanstalk

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// Beanstalk applies an environment's tags with an environment update, so
// a change of tags moves its DateUpdated: tags read while DateUpdated was
// what it still is are the tags now. The Monitor keeps what it read on
// that condition, and forgets what its own writes change, so that
// deploys reading the same environments (the inventory at the start, the
// rollback mark at the swap, the pruning at the end) spend one
// ListTagsForResource, not three.
type tagCache struct {
	mu sync.Mutex
	by map[string]cachedTags // by environment ARN
}

type cachedTags struct {
	tags    map[string]string
	updated time.Time // the environment's DateUpdated when they were read
}

// TagsOf returns env's tags: as read before when env has not been
// updated since (the description must be fresh), else read now, within
// the monitor's budget.
func (m *Monitor) TagsOf(ctx context.Context, api TagsAPI, env types.EnvironmentDescription) (map[string]string, error) {
	arn := aws.ToString(env.EnvironmentArn)
	updated := aws.ToTime(env.DateUpdated)
	m.tagCache.mu.Lock()
	c, ok := m.tagCache.by[arn]
	m.tagCache.mu.Unlock()
	if ok && !updated.IsZero() && c.updated.Equal(updated) {
		return maps.Clone(c.tags), nil
	}
	tags, err := m.tags(ctx, api, arn)
	if err != nil {
		return nil, err
	}
	if !updated.IsZero() {
		m.tagCache.mu.Lock()
		if m.tagCache.by == nil {
			m.tagCache.by = map[string]cachedTags{}
		}
		m.tagCache.by[arn] = cachedTags{tags: maps.Clone(tags), updated: updated}
		m.tagCache.mu.Unlock()
	}
	return tags, nil
}

// forgetTags drops what is known of arn's tags: they were just written.
func (m *Monitor) forgetTags(arn string) {
	m.tagCache.mu.Lock()
	delete(m.tagCache.by, arn)
	m.tagCache.mu.Unlock()
}
