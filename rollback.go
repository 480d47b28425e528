package beanswap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/notify"
	"github.com/beanswap/beanswap/progress"
	"github.com/beanswap/beanswap/swap"
)

// StepRollback names the rollback in progress events.
const StepRollback = "rollback"

// ErrNoRollbackTarget: no environment was kept to roll back to.
var ErrNoRollbackTarget = errors.New("no environment to roll back to")

// Rollback swaps live traffic back to the environment kept from the
// previous deploy — or, with To, to any active environment of the
// service — once it is Ready, healthy and passes the acceptance checks;
// the swap itself is verified and undone if verification fails. It holds
// the deploy lock throughout.
type Rollback struct {
	Config  *config.Config
	Clients Clients
	// To names the environment to make live; default the one most recently
	// live before the current one.
	To string
	// Acceptance checks the target before and after; nil builds them from Config.
	Acceptance acceptance.Checker
	HTTPClient *http.Client
	CommandEnv []string
	Clock      clock.Clock
	Monitor    *beanstalk.Monitor
	// Soak overrides the configuration's swap_soak.
	Soak      time.Duration
	Logger    *slog.Logger
	Observer  progress.Observer
	Notify    []notify.Notifier
	LockOwner string
}

// Run rolls back and returns where live traffic is.
func (r *Rollback) Run(ctx context.Context) (res *swap.Result, err error) {
	cfg, clk := r.Config, clock.Or(r.Clock)
	start := clk.Now()
	op := notify.OpRollback
	if r.To != "" {
		op = notify.OpSwap
	}
	outcome := notify.Outcome{Operation: op, Service: cfg.Name, Application: cfg.Application, Started: start}
	defer func() {
		outcome.Result, outcome.Error, outcome.Duration = outcomeResult(err), errText(err), clk.Now().Sub(start)
		var se *swap.Error
		if errors.As(err, &se) && se.SwappedBack {
			outcome.Result = notify.SwappedBack
		}
		if res != nil {
			outcome.Live, outcome.LiveCNAME, outcome.Previous = res.Live, res.LiveCNAME, res.Previous
		}
		publish(ctx, notifier(cfg, r.Clients, r.Notify), outcome, clk, r.Observer)
	}()
	_, release, err := takeLock(ctx, cfg, r.Clients.S3, clk, r.Observer, r.LockOwner, op+" "+r.To)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", StepLock, err)
	}
	defer release()
	return r.run(ctx, &outcome)
}

// run rolls back; the caller holds the lock.
func (r *Rollback) run(ctx context.Context, outcome *notify.Outcome) (*swap.Result, error) {
	cfg, clk := r.Config, clock.Or(r.Clock)
	m := monitorFor(r.Monitor, r.Clients.Beanstalk, clk)
	var records beanstalk.RecordsAPI
	if cfg.AWSZoneID != "" {
		records = r.Clients.Route53
	}
	inv, err := m.Inventory(ctx, r.Clients.Beanstalk, cfg.Name, cfg.Application, beanstalk.LiveSpec{CNAMEPrefix: cfg.CNAMEPrefix, ZoneID: cfg.AWSZoneID, Host: cfg.LiveHost}, records)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", StepRollback, err)
	}
	if inv.Live == nil {
		return nil, fmt.Errorf("%s: no live environment (%s)", StepRollback, inv.LiveHow)
	}
	target, err := r.target(inv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", StepRollback, err)
	}
	env := target.Environment
	outcome.Environment, outcome.Version = target.Name(), target.Version
	r.Observer.Emit(progress.Info{At: clk.Now(), Step: StepRollback, Message: fmt.Sprintf("rolling back from %s (%s) to %s (%s)", inv.Live.Name(), inv.Live.Version, target.Name(), target.Version)})
	if env.Status != types.EnvironmentStatusReady || env.Health != types.EnvironmentHealthGreen {
		return nil, fmt.Errorf("%s: %s is %s with health %s; it must be Ready and Green", StepRollback, target.Name(), env.Status, env.Health)
	}
	checker := r.Acceptance
	if checker == nil {
		checker = AcceptanceFromConfig(cfg, AcceptanceOptions{HTTPClient: r.HTTPClient, Clock: clk, Observer: r.Observer, CommandEnv: r.CommandEnv})
	}
	if err := checker.Check(ctx, acceptance.Target{URL: "http://" + aws.ToString(env.CNAME), Environment: target.Name(), Version: target.Version}); err != nil {
		return nil, fmt.Errorf("%s: %s fails its acceptance checks, live traffic stays on %s: %w", StepRollback, target.Name(), inv.Live.Name(), err)
	}
	sw := &swap.Swapper{EB: r.Clients.Beanstalk, Monitor: m, Clock: r.Clock, Observer: r.Observer, Logger: r.Logger}
	if cfg.AWSZoneID != "" {
		sw.Route53 = r.Clients.Route53
	}
	res, err := sw.Swap(ctx, swap.Input{
		Application: cfg.Application, Candidate: target.Name(), Live: inv.Live.Name(),
		LiveCNAME: aws.ToString(inv.Live.Environment.CNAME), Version: target.Version,
		Verify: checker, Soak: orDuration(r.Soak, cfg.SwapSoak), Timeout: cfg.Timeouts.Swap, ZoneID: cfg.AWSZoneID, Host: cfg.LiveHost,
	})
	if err != nil {
		return res, fmt.Errorf("%s: %w", StepRollback, err)
	}
	if err := beanstalk.MarkLive(ctx, r.Clients.Beanstalk, env, clk.Now()); err != nil {
		r.Observer.Emit(progress.Warning{At: clk.Now(), Step: StepRollback, Message: err.Error()})
	}
	return res, nil
}

func (r *Rollback) target(inv *beanstalk.Inventory) (beanstalk.Member, error) {
	if r.To == "" {
		if len(inv.Previous) == 0 {
			return beanstalk.Member{}, fmt.Errorf("%w: no environment was live before %s (keep_environments keeps them)", ErrNoRollbackTarget, inv.Live.Name())
		}
		return inv.Previous[0], nil
	}
	if r.To == inv.Live.Name() {
		return beanstalk.Member{}, fmt.Errorf("%s is live already", r.To)
	}
	for _, group := range [][]beanstalk.Member{inv.Previous, inv.Candidates, inv.Unmanaged} {
		for _, m := range group {
			if m.Name() == r.To {
				return m, nil
			}
		}
	}
	return beanstalk.Member{}, fmt.Errorf("%w: %s is no active environment of %s", ErrNoRollbackTarget, r.To, r.Config.Application)
}
