package beanstalktest

import (
	"context"
	"sync"
	"time"

	"github.com/beanswap/beanswap/clock"
)

// Clock drives the simulator's lifecycle: environments launch, swap and
// terminate when its time passes. The same clock, handed to the code under
// test, makes its waits take simulated time too.
type Clock = clock.Clock

// ScaledClock runs Scale times faster than the wall clock: with Scale 600
// a 5-minute launch takes half a second.
type ScaledClock struct {
	scale     float64
	realStart time.Time
	simStart  time.Time
}

// NewScaledClock returns a clock starting at start (the wall clock when
// zero) and running scale times faster than real time (scale <= 0 means 1).
func NewScaledClock(start time.Time, scale float64) *ScaledClock {
	if scale <= 0 {
		scale = 1
	}
	now := time.Now()
	if start.IsZero() {
		start = now
	}
	return &ScaledClock{scale: scale, realStart: now, simStart: start.UTC()}
}

// Scale returns how many simulated seconds pass per real second.
func (c *ScaledClock) Scale() float64 { return c.scale }

// Now returns the simulated time.
func (c *ScaledClock) Now() time.Time {
	elapsed := time.Since(c.realStart)
	return c.simStart.Add(time.Duration(float64(elapsed) * c.scale))
}

// Sleep sleeps d of simulated time.
func (c *ScaledClock) Sleep(ctx context.Context, d time.Duration) error {
	return clock.Real{}.Sleep(ctx, c.Real(d))
}

// Real converts a simulated duration to wall-clock time.
func (c *ScaledClock) Real(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.scale)
}

// ManualClock only moves when told: Advance moves it, and so does Sleep,
// which returns at once after moving the clock by d. A single waiting
// caller therefore runs through simulated hours instantly, and every
// observation is deterministic.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a clock standing at start (a fixed date when zero).
func NewManualClock(start time.Time) *ManualClock {
	if start.IsZero() {
		start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	}
	return &ManualClock{now: start.UTC()}
}

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
}

// Sleep advances the clock by d and returns, unless ctx is already done.
func (c *ManualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}
