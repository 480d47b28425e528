package beanstalk

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/internal/paging"
)

// Monitor is the one component that polls Elastic Beanstalk. Every wait
// goes through it, so its call budget holds for all of them: share one
// Monitor between concurrent deploys in a process and they share the
// account's Describe budget (AWS throttles DescribeEnvironments,
// DescribeEvents and ListTagsForResource together, at about 2 calls/s).
// Throttled and failed calls are retried here, with backoff.
type Monitor struct {
	api   MonitorAPI
	clock clock.Clock
	opts  MonitorOptions

	budget   budget
	w        *watcher
	tagCache tagCache
}

// MonitorOptions tune a Monitor. Zero values mean the defaults.
type MonitorOptions struct {
	// Clock times the budget and the backoff; default the wall clock.
	Clock clock.Clock
	// Rate is the sustained budget of the calls AWS throttles together
	// (DescribeEnvironments, DescribeEvents, ListTagsForResource) per
	// second; default 1, half of what AWS allows, leaving room for other
	// tools. It adapts: halved at each Throttling answer (other processes
	// share the account), regained slowly after.
	Rate float64
	// Burst is how many calls may go at once; default 5.
	Burst int
	// Retries is how often a call that failed (a server or network
	// error) is retried; default 5.
	Retries int
	// ThrottlePatience is how long a throttled call is retried, with
	// backoff and however many times, before its error is returned:
	// Throttling means the account is busy (other deploys, other tools),
	// and a deploy should slow down, not fail; default 5 minutes.
	ThrottlePatience time.Duration
	// FixedInterval, when set, polls every wait at this fixed interval,
	// events and environments each time, as the eb CLI does: for
	// comparisons, not for use.
	FixedInterval time.Duration
}

// NewMonitor returns a Monitor over api.
func NewMonitor(api MonitorAPI, opts MonitorOptions) *Monitor {
	opts.Clock = clock.Or(opts.Clock)
	if opts.Rate <= 0 {
		opts.Rate = 1
	}
	if opts.Burst <= 0 {
		opts.Burst = 5
	}
	if opts.Retries <= 0 {
		opts.Retries = 5
	}
	if opts.ThrottlePatience <= 0 {
		opts.ThrottlePatience = 5 * time.Minute
	}
	m := &Monitor{api: api, clock: opts.Clock, opts: opts}
	m.budget.init(opts.Rate, opts.Burst, opts.Clock.Now())
	m.w = newWatcher(m)
	return m
}

// Clock returns the monitor's clock.
func (m *Monitor) Clock() clock.Clock { return m.clock }

// Environments describes the named environments of app (all of them when
// no name is given), terminated ones included. Reads made at about the
// same time (by any deploys sharing the Monitor) and the Monitor's waits
// share one DescribeEnvironments call, made after each asked.
func (m *Monitor) Environments(ctx context.Context, app string, names ...string) ([]types.EnvironmentDescription, error) {
	envs, err := m.w.read(ctx, app, names)
	if err != nil {
		return nil, fmt.Errorf("environments of %s: %w", app, err)
	}
	return envs, nil
}

// Environment describes one environment; a terminated one is returned as
// such, a missing one is ErrNotFound.
func (m *Monitor) Environment(ctx context.Context, app, name string) (types.EnvironmentDescription, error) {
	envs, err := m.Environments(ctx, app, name)
	if err != nil {
		return types.EnvironmentDescription{}, err
	}
	return Newest(envs, name)
}

// Newest picks the environment named name in envs: the active one, or
// else the most recent (a terminated namesake may linger in Beanstalk's
// list for an hour); ErrNotFound when there is none.
func Newest(envs []types.EnvironmentDescription, name string) (types.EnvironmentDescription, error) {
	var found *types.EnvironmentDescription
	for i := range envs {
		e := &envs[i]
		if aws.ToString(e.EnvironmentName) != name {
			continue
		}
		if found == nil || rank(e) > rank(found) ||
			(rank(e) == rank(found) && aws.ToTime(e.DateCreated).After(aws.ToTime(found.DateCreated))) {
			found = e
		}
	}
	if found == nil {
		return types.EnvironmentDescription{}, fmt.Errorf("environment %s: %w", name, ErrNotFound)
	}
	return *found, nil
}

func rank(e *types.EnvironmentDescription) int {
	if e.Status == types.EnvironmentStatusTerminated {
		return 0
	}
	return 1
}

// maxEventPages bounds one Events call.
const maxEventPages = 10

// Events returns app's events at or after since, oldest first. One call
// covers every environment of the application: filter by name yourself.
func (m *Monitor) Events(ctx context.Context, app string, since time.Time) ([]types.EventDescription, error) {
	return m.eventPages(ctx, spendIndividual, "describe events of "+app,
		&eb.DescribeEventsInput{ApplicationName: aws.String(app), StartTime: aws.Time(since), MaxRecords: aws.Int32(100)})
}

// eventPages reads the events in asks for, up to maxEventPages pages,
// oldest first, within the monitor's budget.
func (m *Monitor) eventPages(ctx context.Context, sp spend, what string, in *eb.DescribeEventsInput) ([]types.EventDescription, error) {
	var all []types.EventDescription
	pages := paging.Tokens{What: what}
	for page := 0; page < maxEventPages; page++ {
		out, err := retry(ctx, m, what, sp, func() (*eb.DescribeEventsOutput, error) {
			return m.api.DescribeEvents(ctx, in, throttlingToUs)
		})
		if err != nil {
			return nil, err
		}
		all = append(all, out.Events...)
		token, err := pages.Next(out.NextToken)
		if err != nil {
			return nil, err
		}
		if token == "" {
			break
		}
		in.NextToken = aws.String(token)
	}
	// Beanstalk lists newest first, events of one instant included; an
	// emulator may list them oldest first: by date, whatever the order.
	slices.Reverse(all)
	slices.SortStableFunc(all, func(a, b types.EventDescription) int {
		return aws.ToTime(a.EventDate).Compare(aws.ToTime(b.EventDate))
	})
	return all, nil
}

// HealthCauses returns enhanced health's causes for env, or nil when
// enhanced health is off or the call fails (causes only enrich errors).
func (m *Monitor) HealthCauses(ctx context.Context, env string) []string {
	out, err := call(ctx, m, "describe health of "+env, func() (*eb.DescribeEnvironmentHealthOutput, error) {
		return m.api.DescribeEnvironmentHealth(ctx, &eb.DescribeEnvironmentHealthInput{
			EnvironmentName: aws.String(env),
			AttributeNames:  []types.EnvironmentHealthAttribute{types.EnvironmentHealthAttributeCauses},
		})
	})
	if err != nil {
		return nil
	}
	return out.Causes
}
