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
