package beanswap

import (
	"context"
	"fmt"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/push"
)

// watchByPush subscribes to Beanstalk's pushed changes for the time of
// one operation, and attaches them to its Monitor; the function it
// returns detaches and removes the rule and queue. When push cannot be
// set up (no clients, a missing permission), or another operation's
// subscription already serves the Monitor, it changes nothing, and says
// why.
func (s *Service) watchByPush(ctx context.Context, rt beanstalk.Runtime) (release func()) {
	noop := func() {}
	c := push.Clients{Events: s.Clients.EventBridge, Queues: s.Clients.SQS}
	if c.Events == nil || c.Queues == nil {
		rt.Warn(StepDeploy, "push: Clients.EventBridge or Clients.SQS is nil: polling instead")
		return noop
	}
	if removed, err := push.Sweep(ctx, c, rt.Clocked().Now()); err != nil {
		rt.Log().Debug("sweeping expired push rules and queues failed", "err", err)
	} else if len(removed) > 0 {
		rt.Info(StepDeploy, fmt.Sprintf("push: removed what crashed runs left: %v", removed))
	}
	sub, err := push.Subscribe(ctx, c, push.Options{Clock: rt.Clocked(), Logger: rt.Log()})
	if err != nil {
		rt.Warn(StepDeploy, fmt.Sprintf("push: cannot watch Beanstalk's events (%v): polling instead", err))
		return noop
	}
	m := rt.Monitor
	detach, attached := m.AttachPush(sub)
	if !attached {
		if err := sub.Close(context.WithoutCancel(ctx)); err != nil {
			rt.Warn(StepDeploy, fmt.Sprintf("push: %v (push.Sweep removes it once expired)", err))
		}
		rt.Info(StepDeploy, "push: another operation's subscription serves this Monitor")
		return noop
	}
	rt.Info(StepDeploy, "push: watching Beanstalk's events through EventBridge rule and SQS queue "+sub.Name)
	return func() {
		detach()
		if err := m.PushErr(); err != nil {
			rt.Warn(StepDeploy, fmt.Sprintf("push: the queue failed (%v): polled instead", err))
		}
		if err := sub.Close(context.WithoutCancel(ctx)); err != nil {
			rt.Warn(StepDeploy, fmt.Sprintf("push: %v: remove it by hand, or let a later run's sweep remove it once expired", err))
			return
		}
		rt.Info(StepDeploy, "push: removed rule and queue "+sub.Name)
	}
}
