package beanstalk

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// Role is what an environment is to its service.
type Role string

const (
	// RoleLive holds the live CNAME (or the live host's Route53 record).
	RoleLive Role = "live"
	// RolePrevious was live before; the newest is the rollback target.
	RolePrevious Role = "previous"
	// RoleCandidate was created by beanswap and never went live.
	RoleCandidate Role = "candidate"
	// RoleStaged is a candidate that passed its acceptance checks in a
	// staged deploy and waits to be promoted.
	RoleStaged Role = "staged"
	// RoleUnmanaged was not created by beanswap for this service.
	RoleUnmanaged Role = "unmanaged"
)

// Member is one environment of a service, with what its tags say.
type Member struct {
	Environment types.EnvironmentDescription
	Role        Role
	// Managed: beanswap created it (tagged for this service, and named so).
	Managed bool
	// WentLive is when it took the live CNAME and was verified there;
	// zero if it never was.
	WentLive time.Time
	// Accepted is when a staged deploy accepted it; zero if none did.
	Accepted time.Time
	Version  string
	// Tags are the environment's tags.
	Tags map[string]string
}

// Name returns the environment's name.
func (m Member) Name() string { return aws.ToString(m.Environment.EnvironmentName) }

// CNAME returns the environment's CNAME.
func (m Member) CNAME() string { return aws.ToString(m.Environment.CNAME) }

// Inventory sorts a service's active environments by role.
type Inventory struct {
	Application string
	Live        *Member
	// Previous went live before; newest first.
	Previous []Member
	// Staged are accepted candidates waiting to be promoted; newest first.
	Staged []Member
	// Candidates are beanswap's other environments that never went live.
	Candidates []Member
	// Unmanaged are environments of the application beanswap did not create.
	Unmanaged []Member
	// LiveHow says how the live one was found.
	LiveHow string
}

// Members lists every environment, the live one first, then the
// previous ones (newest first), the staged ones, the candidates and the
// unmanaged ones.
func (inv *Inventory) Members() []Member {
	var all []Member
	if inv.Live != nil {
		all = append(all, *inv.Live)
	}
	all = append(all, inv.Previous...)
	all = append(all, inv.Staged...)
	all = append(all, inv.Candidates...)
	return append(all, inv.Unmanaged...)
}

// Find returns the active environment named name.
func (inv *Inventory) Find(name string) (Member, bool) {
	for _, m := range inv.Members() {
		if m.Name() == name {
			return m, true
		}
	}
	return Member{}, false
}

// Inventory lists app's active environments and classifies them for
// service. It reads each one's tags (one ListTagsForResource call each,
// within the monitor's budget, unless TagsOf knows them).
func (m *Monitor) Inventory(ctx context.Context, tags TagsAPI, service, app string, spec LiveSpec, records RecordsAPI) (*Inventory, error) {
	inv, err := m.inventory(ctx, tags, service, app, spec, records)
	if err != nil {
		return nil, err
	}
	if err := m.liveTags(ctx, tags, service, inv); err != nil {
		return nil, err
	}
	return inv, nil
}

// inventory is Inventory leaving the live environment's tags unread (nil,
// and WentLive zero): its role comes from the CNAME, and a caller that
// needs its tags reads them (liveTags).
func (m *Monitor) inventory(ctx context.Context, tags TagsAPI, service, app string, spec LiveSpec, records RecordsAPI) (*Inventory, error) {
	envs, err := m.Environments(ctx, app)
	if err != nil {
		return nil, err
	}
	live, err := FindLive(ctx, envs, spec, records)
	if err != nil {
		return nil, err
	}
	inv := &Inventory{Application: app, LiveHow: live.How}
	for _, e := range activeEnvironments(envs) {
		mem := Member{Environment: e, Version: aws.ToString(e.VersionLabel)}
		isLive := mem.Name() == live.Name()
		if !isLive {
			if mem.Tags, err = m.TagsOf(ctx, tags, e); err != nil {
				return nil, err
			}
			mem.classify(service)
		}
		switch {
		case isLive:
			mem.Role = RoleLive
			inv.Live = &mem
		case !mem.Managed:
			mem.Role = RoleUnmanaged
			inv.Unmanaged = append(inv.Unmanaged, mem)
		case !mem.WentLive.IsZero():
			mem.Role = RolePrevious
			inv.Previous = append(inv.Previous, mem)
		case !mem.Accepted.IsZero():
			mem.Role = RoleStaged
			inv.Staged = append(inv.Staged, mem)
		default:
			mem.Role = RoleCandidate
			inv.Candidates = append(inv.Candidates, mem)
		}
	}
	sort.SliceStable(inv.Previous, func(i, j int) bool { return inv.Previous[i].WentLive.After(inv.Previous[j].WentLive) })
	sort.SliceStable(inv.Staged, func(i, j int) bool { return inv.Staged[i].Accepted.After(inv.Staged[j].Accepted) })
	return inv, nil
}

// classify reads what mem's tags say for service.
func (mem *Member) classify(service string) {
	mem.Managed = mem.Tags[TagManagedBy] == "beanswap" && mem.Tags[TagService] == service && strings.HasPrefix(mem.Name(), sanitize(service)+"-")
	if s := mem.Tags[TagWentLive]; s != "" {
		mem.WentLive, _ = time.Parse(time.RFC3339, s)
	}
	if s := mem.Tags[TagAccepted]; s != "" {
		mem.Accepted, _ = time.Parse(time.RFC3339, s)
	}
}

// liveTags reads the tags of inv's live environment, when the inventory
// left them unread.
func (m *Monitor) liveTags(ctx context.Context, tags TagsAPI, service string, inv *Inventory) error {
	if inv.Live == nil || inv.Live.Tags != nil {
		return nil
	}
	t, err := m.TagsOf(ctx, tags, inv.Live.Environment)
	if err != nil {
		return err
	}
	inv.Live.Tags = t
	inv.Live.classify(service)
	return nil
}

// Tags returns an environment's tags, within the monitor's budget (AWS
// throttles ListTagsForResource with the Describe calls).
func (m *Monitor) Tags(ctx context.Context, api TagsAPI, arn string) (map[string]string, error) {
	return m.tags(ctx, api, arn)
}

func (m *Monitor) tags(ctx context.Context, api TagsAPI, arn string) (map[string]string, error) {
	out, err := callDescribe(ctx, m, "list tags of "+arn, func() (*eb.ListTagsForResourceOutput, error) {
		return api.ListTagsForResource(ctx, &eb.ListTagsForResourceInput{ResourceArn: aws.String(arn)}, throttlingToUs)
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

// WriteTable prints the inventory for people: how the live environment
// was found, then one row per environment, the live one first.
func (inv *Inventory) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "application %s: live environment found by %s\n", inv.Application, inv.LiveHow)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tENVIRONMENT\tSTATUS\tHEALTH\tVERSION\tCNAME")
	for _, m := range inv.Members() {
		role := string(m.Role)
		if m.Role == RoleLive {
			role = "LIVE"
		}
		e := m.Environment
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", role, m.Name(), e.Status, e.Health, m.Version, m.CNAME())
	}
	return tw.Flush()
}
