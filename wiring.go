package beanswap

import (
	"context"
	"fmt"
	"time"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/lock"
	"github.com/beanswap/beanswap/notify"
	"github.com/beanswap/beanswap/progress"
)

// StepLock names the deploy lock in progress events.
const StepLock = lock.Step

// releaseTimeout bounds the release of a lease, which happens even when
// the run was cancelled.
const releaseTimeout = 30 * time.Second

// takeLock takes the service's deploy lease when cfg asks for one. The
// returned release never fails the caller: it reports a failure as a
// warning (the lease then expires by itself).
func takeLock(ctx context.Context, cfg *config.Config, s3 S3API, clk clock.Clock, obs progress.Observer, owner, purpose string) (*lock.Lease, func(), error) {
	if !cfg.Lock {
		return nil, func() {}, nil
	}
	t0 := clk.Now()
	obs.Emit(progress.StepStarted{At: t0, Step: StepLock, Detail: purpose})
	l := &lock.Locker{S3: s3, Bucket: cfg.DockerBucket, Key: lock.Key(cfg.Name), TTL: cfg.LockTTL, Wait: cfg.LockWait, Clock: clk, Owner: owner, Observer: obs}
	lease, err := l.Acquire(ctx, purpose)
	obs.Emit(progress.StepFinished{At: clk.Now(), Step: StepLock, Took: clk.Now().Sub(t0), Err: err})
	if err != nil {
		return nil, nil, err
	}
	release := func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if err := lease.Release(rctx); err != nil {
			obs.Emit(progress.Warning{At: clk.Now(), Step: StepLock, Message: fmt.Sprintf("%v (it expires by itself after lock_ttl)", err)})
		}
	}
	return lease, release, nil
}

// notifier gathers the configured SNS topic and the Go subscribers.
func notifier(cfg *config.Config, clients Clients, extra []notify.Notifier) notify.Notifier {
	all := notify.All(extra)
	if cfg.NotifyTopicARN != "" && clients.SNS != nil {
		all = append(all, notify.SNS{Client: clients.SNS, TopicARN: cfg.NotifyTopicARN})
	}
	return all
}

// publish sends an outcome; a failure to notify is a warning, never the
// operation's failure.
func publish(ctx context.Context, n notify.Notifier, o notify.Outcome, clk clock.Clock, obs progress.Observer) {
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := n.Notify(nctx, o); err != nil {
		obs.Emit(progress.Warning{At: clk.Now(), Step: "notify", Message: err.Error()})
	}
}

func monitorFor(m *beanstalk.Monitor, api beanstalk.MonitorAPI, clk clock.Clock) *beanstalk.Monitor {
	if m != nil {
		return m
	}
	return beanstalk.NewMonitor(api, beanstalk.MonitorOptions{Clock: clk})
}

func outcomeResult(err error) string {
	if err != nil {
		return notify.Failed
	}
	return notify.Succeeded
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// orDuration is a Go option when set, else the configuration's value.
func orDuration(option, configured time.Duration) time.Duration {
	if option > 0 {
		return option
	}
	return configured
}
