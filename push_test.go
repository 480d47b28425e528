package beanswap

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/progress"
)

// failedLaunch deploys a second version whose image cannot be pulled
// (its launch fails mid-way with an ERROR event, as the simulator is told), and says how long
// after that event the deploy noticed.
func failedLaunch(t *testing.T, q *memQueue) time.Duration {
	a := newBenchAccountPushing(t, 11, beanstalktest.Faults{}, beanstalktest.Quotas{}, q)
	m := beanstalk.NewMonitor(a.clients.Beanstalk, beanstalk.MonitorOptions{Clock: a.clk})
	if q != nil {
		detach, _ := m.AttachPush(q)
		defer detach()
	}
	_, err := a.service(t, "hello", m, nil).Deploy(context.Background(), a.image(t, "hello", "1.0.0"))
	require.NoError(t, err)
	a.sim.ScriptDefault(beanstalktest.Outcome{FailLaunch: true, FailureReason: "Failed to pull Docker image: manifest unknown"})
	var noticed time.Time // when the launch's wait ended on the failure
	observe := func(e progress.Event) {
		if w, ok := e.(progress.WaitFinished); ok && w.Err != nil && noticed.IsZero() {
			noticed = w.At
		}
	}
	_, err = a.service(t, "hello", m, observe).Deploy(context.Background(), a.image(t, "hello", "1.1.0"))
	var le *beanstalk.LaunchError
	require.True(t, errors.As(err, &le), "%v", err)
	require.NotEmpty(t, le.Events)
	assert.Contains(t, le.Events[0].Message, "Failed to pull Docker image")
	return noticed.Sub(le.Events[0].Date)
}

// TestPushNoticesFailuresAsFastAsPolling: an ERROR event mid-launch ends
// the deploy as soon with changes pushed as with polls planned on the
// learned timeline, and at once.
func TestPushNoticesFailuresAsFastAsPolling(t *testing.T) {
	polled := failedLaunch(t, nil)
	pushed := failedLaunch(t, newMemQueue(0))
	t.Logf("failure noticed %s after its event when polling, %s with push", polled, pushed)
	assert.Less(t, pushed, polled+time.Second)
	assert.Less(t, pushed, 30*time.Second)
}

// TestPushLostEventsAreCaughtByPolls: with a third of the pushed events
// lost, the deploys still end, the polls catching what was not pushed.
func TestPushLostEventsAreCaughtByPolls(t *testing.T) {
	q := newMemQueue(0.33)
	st := runSteadyStateOf(t, 4, beanstalk.MonitorOptions{}, q)
	q.mu.Lock()
	lost := q.lost
	q.mu.Unlock()
	require.Positive(t, lost, "some events were lost")
	t.Logf("%d events lost; the steady-state deploy took %s, %d Describe-group calls, detection %v", lost, st.took.Round(time.Second), st.describe, st.latencies)
	assert.Less(t, percentile(st.latencies, 1), 2*time.Minute, "a lost change is found by the safety net")
}

// brokenQueue fails as a queue deleted under a running deploy does.
type brokenQueue struct{}

func (brokenQueue) Next(ctx context.Context) ([]beanstalk.Nudge, error) {
	return nil, errors.New("receive from queue beanswap-watch-x: AWS.SimpleQueueService.NonExistentQueue")
}

// TestBrokenPushFallsBackToPolling: when the queue fails, the Monitor
// drops it, says why, and the deploys go on polling as without push.
func TestBrokenPushFallsBackToPolling(t *testing.T) {
	a := newBenchAccount(t, 6, beanstalktest.Faults{})
	m := beanstalk.NewMonitor(a.clients.Beanstalk, beanstalk.MonitorOptions{Clock: a.clk})
	detach, attached := m.AttachPush(brokenQueue{})
	require.True(t, attached)
	defer detach()
	for _, v := range []string{"1.0.0", "1.1.0"} {
		_, err := a.service(t, "hello", m, nil).Deploy(context.Background(), a.image(t, "hello", v))
		require.NoError(t, err)
	}
	require.Error(t, m.PushErr())
	assert.Contains(t, m.PushErr().Error(), "NonExistentQueue")
	_, attached = m.AttachPush(newMemQueue(0))
	assert.True(t, attached, "a failed source is dropped: another can be attached")
}
