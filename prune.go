package beanswap

import (
	"context"
	"fmt"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/notify"
)

// PlanPrune says what Prune would do, changing nothing and taking no
// lease (so a young candidate may belong to a deploy in progress, and is
// kept).
func (s *Service) PlanPrune(ctx context.Context) (*beanstalk.PrunePlan, error) {
	if err := s.check(false); err != nil {
		return nil, err
	}
	rt, scrub := s.runtime()
	plan, err := s.pruner(rt).Plan(ctx, s.Config.Spec(), beanstalk.PruneOptions{})
	return plan, scrub.Error(err)
}

// Prune retires the service's old environments and versions by its
// configured policy, under the deploy lease, and reports every
// termination and deletion (Deploy also prunes, after a deploy).
func (s *Service) Prune(ctx context.Context) (res *beanstalk.PruneResult, err error) {
	if err := s.check(false); err != nil {
		return nil, err
	}
	rt, scrub := s.runtime()
	start := rt.Clock.Now()
	defer func() {
		err = scrub.Error(err)
		o := notify.Outcome{Operation: notify.OpPrune, Service: s.Config.Name, Application: s.Config.Application,
			Result: outcomeResult(err), Error: errText(err), Started: start, Duration: rt.Clock.Now().Sub(start)}
		if res != nil {
			o.Terminated, o.Deleted = res.Terminated, res.Deleted
		}
		s.publish(ctx, rt, o)
	}()
	lease, release, err := s.takeLock(ctx, rt, "prune")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", StepLock, err)
	}
	defer release()
	return s.pruner(rt).Prune(ctx, s.Config.Spec(), beanstalk.PruneOptions{Exclusive: lease != nil})
}

// Status lists the service's environments by role: the live one, the
// previous ones (the first is the rollback target), candidates and the
// environments beanswap did not create.
func (s *Service) Status(ctx context.Context) (*beanstalk.Inventory, error) {
	if err := s.check(false); err != nil {
		return nil, err
	}
	rt, scrub := s.runtime()
	inv, err := rt.Monitor.Inventory(ctx, s.Clients.Beanstalk, s.Config.Name, s.Config.Application, s.Config.Spec().Live, s.records())
	return inv, scrub.Error(err)
}
