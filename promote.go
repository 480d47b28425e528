package beanswap

import (
	"context"
	"fmt"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/swap"
)

// Promote moves live traffic to the newest staged environment (see
// Stage): under the deploy lease, its capacity matched to the live
// environment's, its acceptance checks run again, then the same checked
// swap as Deploy's — verified twice, swapped back when it fails — and the
// same capacity restore and pruning afterwards.
func (s *Service) Promote(ctx context.Context) (report *Report, err error) {
	if err := s.check(false); err != nil {
		return nil, err
	}
	rt, scrub := s.runtime()
	if s.Push {
		defer s.watchByPush(ctx, rt)() // the swap's and the pruning's waits
	}
	d := s.begin(rt, scrub, &Report{Service: s.Config.Name, Promoted: true})
	d.promote = true
	defer d.end(ctx, &err)
	lease, release, err := s.takeLock(ctx, rt, "promote")
	if err != nil {
		return d.report, fmt.Errorf("%s: %w", StepLock, err)
	}
	defer release()
	d.lease = lease

	dep, err := step(ctx, d, StepPromote, func() (*beanstalk.Deployment, string, error) {
		dep, err := s.deployer(rt).Promotable(ctx, d.spec)
		if err != nil {
			return nil, "", err
		}
		d.report.Deployment, d.report.Version = dep, dep.Label
		d.noteLive(dep)
		return dep, "", nil
	})
	if err != nil {
		return d.report, err
	}
	// No proof of acceptance from this run: the swap runs the checks.
	if _, err := step(ctx, d, StepSwap, func() (*swap.Result, string, error) { return d.goLive(ctx, dep, acceptance.Passed{}) }); err != nil {
		return d.report, err
	}
	_, _ = step(ctx, d, StepCapacity, func() (bool, string, error) { return d.restoreCapacity(ctx, dep) })
	_, _ = step(ctx, d, StepPrune, func() (*beanstalk.PruneResult, string, error) { return d.prune(ctx) })
	return d.report, nil
}
