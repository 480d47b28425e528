package beanstalk

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestBudgetLetsSharedCallsGoFirst: a poll (shared: it serves every wait)
// goes before the individual calls still queued, each of which moves back
// by one call's time; the calls' pace stays the budget's, and jumps are
// rationed so individual calls keep at least half of it.
func TestBudgetLetsSharedCallsGoFirst(t *testing.T) {
	var b budget
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.init(1, 1, t0)
	type turn struct {
		wait   time.Duration
		queued bool
	}
	reserve := func(shared bool) turn {
		w, q, _ := b.reserve(t0, shared)
		return turn{w, q}
	}
	assert.Equal(t, turn{0, false}, reserve(false), "the burst")
	assert.Equal(t, turn{time.Second, true}, reserve(false))
	assert.Equal(t, turn{2 * time.Second, true}, reserve(false))
	assert.Equal(t, turn{time.Second, false}, reserve(true), "before both queued calls")
	assert.Equal(t, time.Second, b.pushedBack(0), "which go one call later")
	assert.Equal(t, turn{2 * time.Second, false}, reserve(true), "a poll's second call jumps too")
	assert.Equal(t, 2*time.Second, b.pushedBack(0))
	assert.Equal(t, turn{5 * time.Second, false}, reserve(true), "no jump left: in turn, after the queued calls (at 3 s and 4 s)")
	b.due()
	b.due()
	assert.Equal(t, 0, b.waiting)
}
