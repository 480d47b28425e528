package beanstalk

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestBudgetLetsSharedCallsGoFirst: a poll (shared: it serves every wait)
// goes before the individual calls still queued, each of which moves back
// by one call's time; the calls' pace stays the budget's, and jumps are
// rationed so individual calls keep at least half of it. Out of jumps,
// a poll waits for the next one rather than behind a long queue.
func TestBudgetLetsSharedCallsGoFirst(t *testing.T) {
	var b budget
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.init(1, 1, t0)
	type turn struct {
		wait   time.Duration
		queued bool
	}
	now := t0
	reserve := func(shared bool) turn {
		r := b.reserve(now, shared)
		if r.again {
			return turn{wait: -r.wait} // negative: come back then
		}
		return turn{r.wait, r.queued}
	}
	assert.Equal(t, turn{0, false}, reserve(false), "the burst")
	assert.Equal(t, turn{time.Second, true}, reserve(false))
	assert.Equal(t, turn{2 * time.Second, true}, reserve(false))
	assert.Equal(t, turn{time.Second, false}, reserve(true), "before both queued calls")
	assert.Equal(t, time.Second, b.pushedBack(0), "which go one call later")
	assert.Equal(t, turn{2 * time.Second, false}, reserve(true), "a poll's second call jumps too")
	assert.Equal(t, 2*time.Second, b.pushedBack(0))
	assert.Equal(t, turn{-4 * time.Second, false}, reserve(true), "no jump left: it comes back for the next one, at 4 s, sooner than its turn (5 s, after the queued calls)")
	b.due()
	b.due()
	assert.Equal(t, 0, b.waiting)

	// A long queue (a fleet's tag reads): out of jumps, a poll comes back
	// when the next one is free instead of waiting behind all of them.
	b = budget{}
	b.init(1, 1, t0)
	reserve(false)
	for i := range 10 {
		assert.Equal(t, turn{time.Duration(i+1) * time.Second, true}, reserve(false))
	}
	assert.Equal(t, turn{time.Second, false}, reserve(true))
	assert.Equal(t, turn{2 * time.Second, false}, reserve(true))
	assert.Equal(t, turn{-4 * time.Second, false}, reserve(true), "the next jump is 4 s away, its turn 13 s")
	now = t0.Add(4 * time.Second)
	assert.Equal(t, turn{0, false}, reserve(true), "at 4 s, before the queue's remaining calls")
	assert.Equal(t, 3*time.Second, b.pushedBack(0))
	assert.Equal(t, turn{-4 * time.Second, false}, reserve(true), "a quarter of the budget: the next jump 4 s later")
}
