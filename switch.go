package beanswap

import (
	"context"
	"errors"
	"fmt"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/notify"
	"github.com/beanswap/beanswap/swap"
)

// StepSwitch names a rollback or a swap to a named environment in
// progress events.
const StepSwitch = "switch"

// Previous, as SwitchLive's target, is the environment that was live
// before the current one: a rollback.
const Previous = ""

var (
	// ErrNoRollbackTarget: no environment was kept to roll back to.
	ErrNoRollbackTarget = errors.New("no environment to roll back to")
	// ErrNoSuchEnvironment: the environment named is no active
	// environment of the service's application.
	ErrNoSuchEnvironment = errors.New("no such environment")
)

// SwitchLive moves live traffic to the environment named to, or with
// Previous to the environment that was live before the current one (a
// rollback). It is a checked swap: the target must be Ready and healthy
// and pass the acceptance checks first; the swap is verified and undone
// when verification fails. It holds the deploy lease throughout.
func (s *Service) SwitchLive(ctx context.Context, to string) (res *swap.Result, err error) {
	if err := s.check(false); err != nil {
		return nil, err
	}
	rt, scrub := s.runtime()
	cfg := s.Config
	op := notify.OpRollback
	if to != Previous {
		op = notify.OpSwap
	}
	start := rt.Clock.Now()
	outcome := notify.Outcome{Operation: op, Service: cfg.Name, Application: cfg.Application, Started: start}
	defer func() {
		err = scrub.Error(err)
		outcome.Result, outcome.Error, outcome.Duration = outcomeResult(err), errText(err), rt.Clock.Now().Sub(start)
		var se *swap.Error
		if errors.As(err, &se) {
			outcome.Live, outcome.LiveCNAME = se.Live, se.LiveCNAME
			if se.SwappedBack {
				outcome.Result = notify.SwappedBack
			}
		}
		if res != nil {
			outcome.Live, outcome.LiveCNAME, outcome.Previous = res.Live, res.LiveCNAME, res.Previous
		}
		s.publish(ctx, rt, outcome)
	}()
	_, release, err := s.takeLock(ctx, rt, op+" "+to)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", StepLock, err)
	}
	defer release()

	inv, err := rt.Monitor.Inventory(ctx, s.Clients.Beanstalk, cfg.Name, cfg.Application, cfg.Spec().Live, s.records())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if inv.Live == nil {
		return nil, fmt.Errorf("%s: no live environment (%s)", op, inv.LiveHow)
	}
	target, err := switchTarget(inv, to)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	outcome.Environment, outcome.Version = target.Name(), target.Version
	rt.Info(StepSwitch, fmt.Sprintf("moving live traffic from %s (%s) to %s (%s)", inv.Live.Name(), inv.Live.Version, target.Name(), target.Version))
	in := s.swapInput(s.checker(rt))
	in.Candidate, in.Version = target.Name(), target.Version
	in.Live, in.LiveCNAME = inv.Live.Name(), inv.Live.CNAME()
	res, err = s.swapper(rt).Swap(ctx, in)
	if err != nil {
		return res, fmt.Errorf("%s: %w", op, err)
	}
	return res, nil
}

// switchTarget picks the environment to make live.
func switchTarget(inv *beanstalk.Inventory, to string) (beanstalk.Member, error) {
	if to == Previous {
		if len(inv.Previous) == 0 {
			return beanstalk.Member{}, fmt.Errorf("%w: no environment was live before %s (keep_environments keeps them)", ErrNoRollbackTarget, inv.Live.Name())
		}
		return inv.Previous[0], nil
	}
	if to == inv.Live.Name() {
		return beanstalk.Member{}, fmt.Errorf("%s is live already", to)
	}
	if m, ok := inv.Find(to); ok {
		return m, nil
	}
	return beanstalk.Member{}, fmt.Errorf("%w: %s is no active environment of application %s", ErrNoSuchEnvironment, to, inv.Application)
}
