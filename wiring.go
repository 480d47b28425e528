package beanswap

import (
	"context"
	"fmt"
	"time"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/lock"
	"github.com/beanswap/beanswap/notify"
	"github.com/beanswap/beanswap/progress"
)

// releaseTimeout bounds the release of a lease and the publication of an
// outcome, which happen even when the operation was cancelled.
const releaseTimeout = 30 * time.Second

// takeLock takes the service's deploy lease when the configuration asks
// for one. The returned release never fails the caller: it reports a
// failure as a warning (the lease then expires by itself).
func (s *Service) takeLock(ctx context.Context, rt beanstalk.Runtime, purpose string) (*lock.Lease, func(), error) {
	cfg := s.Config
	if !cfg.Lock {
		return nil, func() {}, nil
	}
	l, err := s.locker(rt)
	if err != nil {
		return nil, nil, err
	}
	t0 := rt.Clock.Now()
	rt.Observer.Emit(progress.StepStarted{At: t0, Step: StepLock, Detail: purpose})
	lease, err := l.Acquire(ctx, purpose)
	rt.Observer.Emit(progress.StepFinished{At: rt.Clock.Now(), Step: StepLock, Took: rt.Clock.Now().Sub(t0), Err: err})
	if err != nil {
		return nil, nil, err
	}
	release := func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if err := lease.Release(rctx); err != nil {
			rt.Warn(StepLock, fmt.Sprintf("%v (it expires by itself after lock_ttl)", err))
		}
	}
	return lease, release, nil
}

// publish sends an outcome to the configured SNS topic and the Go
// subscribers; a failure to notify is a warning, never the operation's
// failure.
func (s *Service) publish(ctx context.Context, rt beanstalk.Runtime, o notify.Outcome) {
	all := notify.All(s.Notify)
	if s.Config.NotifyTopicARN != "" && s.Clients.SNS != nil {
		all = append(all, notify.SNS{Client: s.Clients.SNS, TopicARN: s.Config.NotifyTopicARN})
	}
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := all.Notify(nctx, o); err != nil {
		rt.Warn("notify", err.Error())
	}
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

// locker is the service's deploy lease, as configured.
func (s *Service) locker(rt beanstalk.Runtime) (*lock.Locker, error) {
	if s.Clients.S3 == nil {
		return nil, fmt.Errorf("%w: Service.Clients.S3 is nil (it holds the deploy lease)", ErrIncomplete)
	}
	cfg := s.Config
	return &lock.Locker{S3: s.Clients.S3, Bucket: cfg.DockerBucket, Key: lock.Key(cfg.Name), TTL: cfg.LockTTL, Wait: cfg.LockWait, Clock: rt.Clock, Owner: s.LockOwner, Observer: rt.Observer}, nil
}

// LockHolder says who holds the service's deploy lease; lock.ErrNoLease
// when nobody does.
func (s *Service) LockHolder(ctx context.Context) (lock.Holder, error) {
	if err := s.check(true); err != nil {
		return lock.Holder{}, err
	}
	rt, _ := s.runtime()
	l, err := s.locker(rt)
	if err != nil {
		return lock.Holder{}, err
	}
	return l.Current(ctx)
}

// Unlock breaks the service's deploy lease held by run runID (the run id
// an error about a held lease names), whether or not it expired: the way
// out after a deploy was killed. It breaks that lease only, and returns
// its holder.
func (s *Service) Unlock(ctx context.Context, runID string) (lock.Holder, error) {
	if err := s.check(true); err != nil {
		return lock.Holder{}, err
	}
	rt, _ := s.runtime()
	l, err := s.locker(rt)
	if err != nil {
		return lock.Holder{}, err
	}
	h, err := l.Break(ctx, runID)
	if err == nil {
		rt.Warn(StepLock, fmt.Sprintf("broke the deploy lock of %s", h))
	}
	return h, err
}
