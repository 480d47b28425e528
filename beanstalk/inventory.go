package beanstalk

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// TagWentLive records when an environment took the live CNAME. It tells
// an environment kept for rollback (it was live) from a candidate a
// failed or interrupted deploy left behind (it never was).
const TagWentLive = "beanswap:went-live"

// TagsAPI reads and writes environment tags; *elasticbeanstalk.Client
// satisfies it.
type TagsAPI interface {
	ListTagsForResource(ctx context.Context, in *eb.ListTagsForResourceInput, optFns ...func(*eb.Options)) (*eb.ListTagsForResourceOutput, error)
	UpdateTagsForResource(ctx context.Context, in *eb.UpdateTagsForResourceInput, optFns ...func(*eb.Options)) (*eb.UpdateTagsForResourceOutput, error)
}

// MarkLive tags env as having gone live at t.
func MarkLive(ctx context.Context, api TagsAPI, env types.EnvironmentDescription, t time.Time) error {
	_, err := api.UpdateTagsForResource(ctx, &eb.UpdateTagsForResourceInput{
		ResourceArn: env.EnvironmentArn,
		TagsToAdd:   []types.Tag{{Key: aws.String(TagWentLive), Value: aws.String(t.UTC().Format(time.RFC3339))}},
	})
	if err != nil {
		return fmt.Errorf("tag %s as live: %w", aws.ToString(env.EnvironmentName), err)
	}
	return nil
}

// Member is one environment of a service, with what its tags say.
type Member struct {
	Environment types.EnvironmentDescription
	// Managed: beanswap created it (tagged for this service, and named so).
	Managed bool
	// WentLive is when it took the live CNAME; zero if it never did.
	WentLive time.Time
	Version  string
}

// Name returns the environment's name.
func (m Member) Name() string { return aws.ToString(m.Environment.EnvironmentName) }

// Inventory sorts a service's active environments by role.
type Inventory struct {
	Live *Member
	// Previous went live before; newest first.
	Previous []Member
	// Candidates are beanswap's environments that never went live.
	Candidates []Member
	// Unmanaged are environments of the application beanswap did not create.
	Unmanaged []Member
	// LiveHow says how the live one was found.
	LiveHow string
}

// Inventory lists app's active environments and classifies them. It
// reads each one's tags (one ListTagsForResource call each, within the
// monitor's budget).
func (m *Monitor) Inventory(ctx context.Context, tags TagsAPI, service, app string, spec LiveSpec, records RecordsAPI) (*Inventory, error) {
	envs, err := m.Environments(ctx, app)
	if err != nil {
		return nil, err
	}
	live, err := FindLive(ctx, envs, spec, records)
	if err != nil {
		return nil, err
	}
	inv := &Inventory{LiveHow: live.How}
	for _, e := range activeEnvironments(envs) {
		mem := Member{Environment: e, Version: aws.ToString(e.VersionLabel)}
		t, err := m.tags(ctx, tags, aws.ToString(e.EnvironmentArn))
		if err != nil {
			return nil, err
		}
		mem.Managed = t[TagManagedBy] == "beanswap" && t[TagService] == service && strings.HasPrefix(mem.Name(), sanitize(service)+"-")
		if s := t[TagWentLive]; s != "" {
			mem.WentLive, _ = time.Parse(time.RFC3339, s)
		}
		switch {
		case mem.Name() == live.Name():
			mem := mem
			inv.Live = &mem
		case !mem.Managed:
			inv.Unmanaged = append(inv.Unmanaged, mem)
		case !mem.WentLive.IsZero():
			inv.Previous = append(inv.Previous, mem)
		default:
			inv.Candidates = append(inv.Candidates, mem)
		}
	}
	sort.SliceStable(inv.Previous, func(i, j int) bool { return inv.Previous[i].WentLive.After(inv.Previous[j].WentLive) })
	return inv, nil
}

// Tags returns an environment's tags, within the monitor's budget (AWS
// throttles ListTagsForResource with the Describe calls).
func (m *Monitor) Tags(ctx context.Context, api TagsAPI, arn string) (map[string]string, error) {
	return m.tags(ctx, api, arn)
}

func (m *Monitor) tags(ctx context.Context, api TagsAPI, arn string) (map[string]string, error) {
	out, err := call(ctx, m, "list tags of "+arn, func() (*eb.ListTagsForResourceOutput, error) {
		return api.ListTagsForResource(ctx, &eb.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	})
	if err != nil {
		return nil, err
	}
	tags := make(map[string]string, len(out.ResourceTags))
	for _, t := range out.ResourceTags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}
