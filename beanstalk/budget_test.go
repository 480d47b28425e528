package beanstalk

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalktest"
)

// pushedBack is how far shared calls have pushed back a call queued at
// shift.
func (b *budget) pushedBack(shift time.Duration) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.shift - shift
}

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
	b.leave()
	b.leave()
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

// TestWaitSeesThroughAQueue: a hundred tag reads queued (a fleet's
// deploys judging what to prune, 100 s of the budget) do not leave a wait
// of the same process blind, even while other deploys' point reads take
// every jump: its polls go first, a jump at a time, and it notices its
// environment turn healthy within seconds, not after the queue.
func TestWaitSeesThroughAQueue(t *testing.T) {
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	clk := beanstalktest.NewVirtualClock(start)
	defer clk.Close()
	readyAt := start.Add(30 * time.Second)
	f := &fakeEB{
		DescribeEnvironmentsFn: func(*eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error) {
			e := state(types.EnvironmentStatusLaunching, types.EnvironmentHealthGrey)
			if !clk.Now().Before(readyAt) {
				e = state(types.EnvironmentStatusReady, types.EnvironmentHealthGreen)
			}
			e.DateUpdated = aws.Time(start)
			return &eb.DescribeEnvironmentsOutput{Environments: []types.EnvironmentDescription{e}}, nil
		},
		DescribeEventsFn: func(*eb.DescribeEventsInput) (*eb.DescribeEventsOutput, error) {
			return &eb.DescribeEventsOutput{}, nil
		},
		ListTagsForResourceFn: func(*eb.ListTagsForResourceInput) (*eb.ListTagsForResourceOutput, error) {
			return &eb.ListTagsForResourceOutput{}, nil
		},
	}
	m := NewMonitor(f, MonitorOptions{Clock: clk}) // 1 call/s
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			_, err := m.Tags(context.Background(), f, fmt.Sprintf("arn:env/%d", i))
			assert.NoError(t, err)
		})
	}
	ctx, stop := context.WithCancel(context.Background())
	wg.Go(func() { // other deploys' point reads, every 2 s
		for clk.Sleep(ctx, 2*time.Second) == nil {
			_, _ = m.Environments(ctx, "app")
		}
	})
	_, err := m.WaitHealthy(context.Background(), "app", "e", WaitOptions{Timeout: 10 * time.Minute})
	require.NoError(t, err)
	noticed := clk.Now()
	stop()
	wg.Wait()
	assert.LessOrEqual(t, noticed.Sub(readyAt), 10*time.Second, "noticed at %s", noticed.Sub(start))
	assert.Greater(t, clk.Now().Sub(start), 90*time.Second, "the queue's calls kept their pace")
}

// A wait that read no events learns them with one read once it is over,
// but only with a call to spare: behind a fleet's queue of tag reads it
// held a deploy's swap up for 41 s.
func TestLearningReadNeverHoldsUpAWait(t *testing.T) {
	for _, tc := range []struct {
		name       string
		queued     int // individual calls queued in the budget meanwhile
		wantEvents int // DescribeEvents calls made by the time Wait returns
	}{
		{"budget free: the events are learned", 0, 1},
		{"budget busy: the wait returns at once", 100, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
			clk := beanstalktest.NewVirtualClock(start)
			defer clk.Close()
			readyAt := start.Add(30 * time.Second)
			var events atomic.Int32
			f := &fakeEB{
				DescribeEnvironmentsFn: func(*eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error) {
					e := state(types.EnvironmentStatusUpdating, types.EnvironmentHealthGreen)
					if !clk.Now().Before(readyAt) {
						e = state(types.EnvironmentStatusReady, types.EnvironmentHealthGreen)
					}
					return &eb.DescribeEnvironmentsOutput{Environments: []types.EnvironmentDescription{e}}, nil
				},
				DescribeEventsFn: func(*eb.DescribeEventsInput) (*eb.DescribeEventsOutput, error) {
					events.Add(1)
					return &eb.DescribeEventsOutput{}, nil
				},
				ListTagsForResourceFn: func(*eb.ListTagsForResourceInput) (*eb.ListTagsForResourceOutput, error) {
					return &eb.ListTagsForResourceOutput{}, nil
				},
			}
			m := NewMonitor(f, MonitorOptions{Clock: clk}) // 1 call/s
			var wg sync.WaitGroup
			defer wg.Wait()
			if tc.queued > 0 {
				// Spend the burst, so that the reads below queue.
				for i := range 15 {
					_, err := m.Tags(context.Background(), f, fmt.Sprintf("arn:burst/%d", i))
					require.NoError(t, err)
				}
			}
			for i := range tc.queued {
				wg.Go(func() {
					_, err := m.Tags(context.Background(), f, fmt.Sprintf("arn:env/%d", i))
					assert.NoError(t, err)
				})
			}
			ready := func(envs map[string]types.EnvironmentDescription) (bool, error) {
				return envs["e"].Status == types.EnvironmentStatusReady, nil
			}
			_, err := m.Wait(context.Background(), "app", []string{"e"}, "to be Ready", ready, WaitOptions{Timeout: 10 * time.Minute, IgnoreErrorEvents: true})
			require.NoError(t, err)
			assert.LessOrEqual(t, clk.Now().Sub(readyAt), 10*time.Second, "returned at %s", clk.Now().Sub(start))
			assert.Equal(t, tc.wantEvents, int(events.Load()), "DescribeEvents calls")
		})
	}
}
