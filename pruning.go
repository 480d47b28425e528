package beanswap

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/notify"
	"github.com/beanswap/beanswap/progress"
)

// Prune retires a service's old environments and versions by its
// configured policy, on its own (a Pipeline also prunes after a deploy).
type Prune struct {
	Config    *config.Config
	Clients   Clients
	Clock     clock.Clock
	Monitor   *beanstalk.Monitor
	Logger    *slog.Logger
	Observer  progress.Observer
	Notify    []notify.Notifier
	LockOwner string
}

func (p *Prune) pruner(clk clock.Clock) *beanstalk.Pruner {
	pr := &beanstalk.Pruner{EB: p.Clients.Beanstalk, Monitor: monitorFor(p.Monitor, p.Clients.Beanstalk, clk), Clock: clk, Observer: p.Observer, Logger: p.Logger}
	if p.Config.AWSZoneID != "" {
		pr.Records = p.Clients.Route53
	}
	return pr
}

// Plan says what Run would do, changing nothing and taking no lock (so a
// young candidate may belong to a deploy in progress and is kept).
func (p *Prune) Plan(ctx context.Context) (*beanstalk.PrunePlan, error) {
	return p.pruner(clock.Or(p.Clock)).Plan(ctx, p.Config, beanstalk.PruneOptions{})
}

// Run takes the deploy lock, plans and prunes, and reports every
// termination and deletion.
func (p *Prune) Run(ctx context.Context) (plan *beanstalk.PrunePlan, res *beanstalk.PruneResult, err error) {
	clk := clock.Or(p.Clock)
	start := clk.Now()
	defer func() {
		o := notify.Outcome{Operation: notify.OpPrune, Service: p.Config.Name, Application: p.Config.Application,
			Result: outcomeResult(err), Error: errText(err), Started: start, Duration: clk.Now().Sub(start)}
		if res != nil {
			o.Terminated, o.Deleted = res.Terminated, res.Deleted
		}
		publish(ctx, notifier(p.Config, p.Clients, p.Notify), o, clk, p.Observer)
	}()
	lease, release, err := takeLock(ctx, p.Config, p.Clients.S3, clk, p.Observer, p.LockOwner, "prune")
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", StepLock, err)
	}
	defer release()
	pr := p.pruner(clk)
	plan, err = pr.Plan(ctx, p.Config, beanstalk.PruneOptions{Exclusive: lease != nil})
	if err != nil {
		return nil, nil, err
	}
	if plan.Empty() {
		return plan, &beanstalk.PruneResult{}, nil
	}
	res, err = pr.Prune(ctx, p.Config, plan)
	return plan, res, err
}
