package beanstalk

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
)

// budget is the token bucket of the calls AWS throttles together.
// Callers reserve tokens in turn (first come, first served: a reservation
// may take the bucket below zero, and the next one waits longer), and
// the rate adapts to Throttling answers: halved at each (other processes
// spend the same account budget), regained additively on success, as
// the SDK's adaptive retry mode does.
//
// A shared call (the watcher's poll, which serves every wait at once)
// may go before the individual calls still waiting for their turn (a
// hundred deploys reading tags), pushing each of them back by one call's
// time: otherwise every wait of the process would wait behind them.
// Jumps come from a bucket of their own at a quarter of the rate
// (jumpShare), so individual calls always keep at least three quarters
// of the budget; out of jumps, a shared call waits for the next one
// rather than behind the whole queue, unless its turn comes first.
type budget struct {
	mu      sync.Mutex
	tokens  float64
	last    time.Time
	rate    float64 // current
	maxRate float64
	burst   float64

	jumps   float64       // the shared calls' right to go first
	shift   time.Duration // how far jumps have pushed waiting calls back, in all
	waiting int           // individual calls queued, their turn not yet come
}

// minRate is the lowest the adaptive rate goes: one call every 10 s.
const minRate = 0.1

// jumpBurst is how many shared calls may go first at once: a poll's
// environments and events.
const jumpBurst = 2

// jumpShare: shared calls may go first with one call in jumpShare of the
// budget. A quarter keeps a poll within about 8 s at the default rate
// behind any queue, and the queue (a fleet's tag reads, on which its
// deploys wait) three quarters of the budget: with half, polls took so
// much that a fleet of 100 took 1.10 × a single deploy, not 1.02.
const jumpShare = 4

func (b *budget) init(rate float64, burst int, now time.Time) {
	b.rate, b.maxRate, b.burst, b.tokens, b.last = rate, rate, float64(burst), float64(burst), now
	b.jumps = jumpBurst
}

func (b *budget) refill(now time.Time) {
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(b.burst, b.tokens+elapsed.Seconds()*b.rate)
		b.jumps = min(jumpBurst, b.jumps+elapsed.Seconds()*b.rate/jumpShare)
		b.last = now
	}
}

func (b *budget) seconds(tokens float64) time.Duration {
	return time.Duration(tokens / b.rate * float64(time.Second))
}

// reservation is a call's place in the budget.
type reservation struct {
	wait   time.Duration // before using the token
	queued bool          // an individual call, in the queue until due
	shift  time.Duration // for a queued call: the shift when it queued
	// again: a shared call with no jump left, for which one comes back
	// sooner than its turn behind the queue: it reserves again after wait
	// (it took nothing).
	again bool
}

// reserve takes a token and says how long to wait before using it. An
// individual call that must wait is queued: its turn moves back by
// however far shared calls push it (see turnLeft), until it leaves.
func (b *budget) reserve(now time.Time, shared bool) reservation {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	b.tokens--
	if b.tokens >= 0 {
		return reservation{}
	}
	inTurn := b.seconds(-b.tokens)
	if shared && b.waiting > 0 {
		if b.jumps >= 1-1e-9 { // (float drift after waiting for it exactly)
			b.jumps--
			b.shift += b.seconds(1)
			// Its turn, as if the individual calls waiting were not there.
			return reservation{wait: b.seconds(max(0, -(b.tokens + float64(b.waiting))))}
		}
		// Behind a long queue (a hundred deploys reading tags), the
		// next jump comes sooner than its turn: every wait of the
		// process would otherwise go blind for the whole queue.
		if nextJump := b.seconds(jumpShare * (1 - b.jumps)); nextJump < inTurn {
			b.tokens++
			return reservation{wait: nextJump, again: true}
		}
	}
	if shared {
		return reservation{wait: inTurn}
	}
	b.waiting++
	return reservation{wait: inTurn, queued: true, shift: b.shift}
}

// turnLeft is how long a call queued at shift for turn still waits, now
// that shared calls may have pushed it back. When its turn has come it
// leaves the queue in the same step: a jump made at that very moment must
// not count it as still waiting (and go with it, over the budget).
func (b *budget) turnLeft(turn time.Time, shift time.Duration, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	left := turn.Add(b.shift - shift).Sub(now)
	if left <= 0 {
		b.waiting--
	}
	return left
}

// errNoSpareCall: a spendSpare call found no token free.
var errNoSpareCall = errors.New("no call to spare in the budget")

// spare takes a token when no call is queued for one and it comes
// within spareWait, and says how long to wait for it: for calls worth
// making only when they cost no one a wait.
func (b *budget) spare(now time.Time) (time.Duration, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	if b.waiting > 0 || b.seconds(1-b.tokens) > spareWait {
		return 0, false
	}
	b.tokens--
	return b.seconds(max(0, -b.tokens)), true
}

// spareWait is the longest a spendSpare call waits for its token: about
// the gap between a busy watcher's polls.
const spareWait = 2 * time.Second

// leave takes a queued call that gave up off the queue.
func (b *budget) leave() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.waiting--
}

// throttled halves the rate.
func (b *budget) throttled() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rate = max(minRate, b.rate/2)
}

// succeeded regains some rate.
func (b *budget) succeeded() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rate = min(b.maxRate, b.rate+b.maxRate/20)
}

// Rate is the monitor's current budget, in calls per second.
func (m *Monitor) Rate() float64 {
	m.budget.mu.Lock()
	defer m.budget.mu.Unlock()
	return m.budget.rate
}

// take waits for a token of the call budget, in turn.
func (m *Monitor) take(ctx context.Context, shared bool) error {
	now := m.clock.Now()
	r := m.budget.reserve(now, shared)
	for r.again {
		if err := m.clock.Sleep(ctx, r.wait); err != nil {
			return err
		}
		now = m.clock.Now()
		r = m.budget.reserve(now, shared)
	}
	if !r.queued {
		return m.clock.Sleep(ctx, r.wait)
	}
	turn := now.Add(r.wait)
	for {
		left := m.budget.turnLeft(turn, r.shift, m.clock.Now())
		if left <= 0 {
			return nil
		}
		if err := m.clock.Sleep(ctx, left); err != nil {
			m.budget.leave()
			return err
		}
	}
}

// spend says what budget a call spends.
type spend int

const (
	spendNone       spend = iota
	spendIndividual       // one deploy's call: in turn
	spendShared           // the watcher's poll: may go before individual ones
	// spendSpare: a call that is only worth a token to spare (learning
	// a wait's events once it is over): made within spareWait or not at
	// all, and not retried, so that it never holds up its deploy for long.
	spendSpare
)

// call runs an API call, retrying throttling and transient failures with
// jittered exponential backoff on the monitor's clock.
func call[T any](ctx context.Context, m *Monitor, what string, f func() (T, error)) (T, error) {
	return retry(ctx, m, what, spendNone, f)
}

// callDescribe is call for the calls AWS throttles together: each
// attempt spends a token of the monitor's budget.
func callDescribe[T any](ctx context.Context, m *Monitor, what string, f func() (T, error)) (T, error) {
	return retry(ctx, m, what, spendIndividual, f)
}

func retry[T any](ctx context.Context, m *Monitor, what string, sp spend, f func() (T, error)) (T, error) {
	budgeted := sp != spendNone
	var zero T
	backoff := time.Second
	start := m.clock.Now()
	failures := 0 // the ones that count against Retries: not throttling
	for {
		switch {
		case sp == spendSpare:
			wait, ok := m.budget.spare(m.clock.Now())
			if !ok {
				return zero, fmt.Errorf("%s: %w", what, errNoSpareCall)
			}
			if err := m.clock.Sleep(ctx, wait); err != nil {
				return zero, err
			}
		case budgeted:
			if err := m.take(ctx, sp == spendShared); err != nil {
				return zero, err
			}
		}
		out, err := f()
		if err == nil {
			if budgeted {
				m.budget.succeeded()
			}
			return out, nil
		}
		throttled := isThrottle(err)
		if budgeted && throttled {
			m.budget.throttled()
		}
		// Throttling says the account is busy, not that the call is
		// wrong: it is retried (the budget slowing down) for as long as
		// the monitor's patience, however many times it takes.
		switch {
		case sp == spendSpare || !isTransient(err):
			return zero, fmt.Errorf("%s: %w", what, translate(err))
		case throttled:
			if waited := m.clock.Now().Sub(start); waited >= m.opts.ThrottlePatience {
				return zero, fmt.Errorf("%s: still throttled after %s: %w", what, waited.Round(time.Second), translate(err))
			}
		default:
			if failures++; failures > m.opts.Retries {
				return zero, fmt.Errorf("%s: %w", what, translate(err))
			}
		}
		// Jitter keeps processes that were throttled together from
		// retrying together.
		wait := time.Duration(float64(backoff) * (0.5 + rand.Float64()))
		if err := m.clock.Sleep(ctx, wait); err != nil {
			return zero, err
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// throttlingToUs is a call option for the budgeted calls: the SDK hands a
// Throttling answer back at once instead of retrying it on its own, so
// that the budget sees it (and adapts) and the retry waits its turn.
func throttlingToUs(o *eb.Options) {
	if o.Retryer != nil {
		o.Retryer = throttleToCaller{o.Retryer}
	}
}

type throttleToCaller struct{ aws.Retryer }

func (r throttleToCaller) IsErrorRetryable(err error) bool {
	return !isThrottle(err) && r.Retryer.IsErrorRetryable(err)
}

func (r throttleToCaller) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	if v2, ok := r.Retryer.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.Retryer.GetInitialToken(), nil
}
