package beanstalk

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/progress"
)

func TestMonitorBudget(t *testing.T) {
	clk := beanstalktest.NewManualClock(time.Time{})
	m := NewMonitor(&fakeEB{}, MonitorOptions{Clock: clk, Rate: 2, Burst: 3})
	start := clk.Now()
	calls := 0
	for i := 0; i < 7; i++ {
		_, err := callDescribe(context.Background(), m, "count", func() (int, error) { calls++; return calls, nil })
		require.NoError(t, err)
	}
	// 3 calls from the burst, then 4 more at 2 per second.
	assert.Equal(t, 2*time.Second, clk.Now().Sub(start))
	assert.Equal(t, 7, calls)
}

// TestConcurrentReadsShareACall: point reads made at once, for several
// applications, are one DescribeEnvironments of the region, each answered
// with its own environments only.
func TestConcurrentReadsShareACall(t *testing.T) {
	clk := beanstalktest.NewVirtualClock(time.Time{}) // time moves when all are waiting
	defer clk.Close()
	f := &fakeEB{DescribeEnvironmentsFn: func(in *eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error) {
		assert.Nil(t, in.ApplicationName, "several applications: the region's list")
		var out eb.DescribeEnvironmentsOutput
		for _, app := range []string{"a", "b", "c"} {
			out.Environments = append(out.Environments, types.EnvironmentDescription{ApplicationName: aws.String(app), EnvironmentName: aws.String(app + "-1")})
		}
		return &out, nil
	}}
	m := NewMonitor(f, MonitorOptions{Clock: clk})
	var wg sync.WaitGroup
	got := make([][]types.EnvironmentDescription, 3)
	for i, app := range []string{"a", "b", "c"} {
		wg.Go(func() {
			envs, err := m.Environments(context.Background(), app)
			assert.NoError(t, err)
			got[i] = envs
		})
	}
	wg.Wait()
	assert.Equal(t, 1, f.count("DescribeEnvironments"))
	for i, app := range []string{"a", "b", "c"} {
		require.Len(t, got[i], 1)
		assert.Equal(t, app+"-1", aws.ToString(got[i][0].EnvironmentName))
	}
}

func TestMonitorRetries(t *testing.T) {
	tests := map[string]struct {
		errs    []error
		calls   int
		atLeast int // when the jittered backoff makes calls vary
		err     string
		is      error
	}{
		"throttled twice":      {errs: []error{apiErr("Throttling", "Rate exceeded"), apiErr("Throttling", "Rate exceeded")}, calls: 3},
		"throttled a dozen":    {errs: repeat(apiErr("Throttling", "Rate exceeded"), 12), calls: 13},
		"throttled for ever":   {errs: repeat(apiErr("Throttling", "Rate exceeded"), 100), atLeast: 10, err: "describe environments: still throttled after 5m"},
		"server error":         {errs: []error{httpErr{503}}, calls: 2},
		"network error":        {errs: []error{errors.New("connection reset")}, calls: 2},
		"client error":         {errs: []error{apiErr("InvalidParameterValue", "No Application named 'x' found.")}, calls: 1, err: "No Application named"},
		"not ready translated": {errs: []error{apiErr("InvalidParameterValue", "Environment named a is in an invalid state for this operation. Must be Ready.")}, calls: 1, is: ErrNotReady},
		"gives up":             {errs: []error{httpErr{500}, httpErr{500}, httpErr{500}, httpErr{500}, httpErr{500}, httpErr{500}, httpErr{500}}, calls: 6, err: "environments of app: describe environments: http 500"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			clk := beanstalktest.NewManualClock(time.Time{})
			n := 0
			f := &fakeEB{DescribeEnvironmentsFn: func(*eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error) {
				n++
				if n <= len(tc.errs) {
					return nil, tc.errs[n-1]
				}
				return &eb.DescribeEnvironmentsOutput{}, nil
			}}
			m := NewMonitor(f, MonitorOptions{Clock: clk})
			_, err := m.Environments(context.Background(), "app")
			if tc.atLeast > 0 {
				assert.GreaterOrEqual(t, n, tc.atLeast)
			} else {
				assert.Equal(t, tc.calls, n)
			}
			if tc.err == "" && tc.is == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorContains(t, err, tc.err)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
		})
	}
}

func repeat(err error, n int) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

func TestMonitorStopsOnCancel(t *testing.T) {
	f := &fakeEB{DescribeEnvironmentsFn: func(*eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error) {
		return nil, apiErr("Throttling", "Rate exceeded")
	}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := NewMonitor(f, MonitorOptions{})
	_, err := m.Environments(ctx, "app")
	assert.ErrorIs(t, err, context.Canceled)
	assert.LessOrEqual(t, f.count("DescribeEnvironments"), 1)
}

func TestEventsPagesAndOrder(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := func(sec int, msg string) types.EventDescription {
		return types.EventDescription{EventDate: aws.Time(t0.Add(time.Duration(sec) * time.Second)), Message: aws.String(msg), EnvironmentName: aws.String("e")}
	}
	for _, tc := range []struct {
		name         string
		first, later []types.EventDescription // the pages
		want         []string
	}{
		{"newest first, as Beanstalk lists them", []types.EventDescription{ev(4, "d"), ev(3, "c"), ev(3, "c2")},
			[]types.EventDescription{ev(2, "b"), ev(1, "a")}, []string{"a", "b", "c2", "c", "d"}},
		{"oldest first, as an emulator may", []types.EventDescription{ev(1, "a"), ev(2, "b")},
			[]types.EventDescription{ev(3, "c"), ev(4, "d")}, []string{"a", "b", "c", "d"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeEB{DescribeEventsFn: func(in *eb.DescribeEventsInput) (*eb.DescribeEventsOutput, error) {
				if in.NextToken == nil {
					return &eb.DescribeEventsOutput{Events: tc.first, NextToken: aws.String("p2")}, nil
				}
				return &eb.DescribeEventsOutput{Events: tc.later}, nil
			}}
			events, err := NewMonitor(f, MonitorOptions{}).Events(context.Background(), "app", t0)
			require.NoError(t, err)
			var msgs []string
			for _, e := range events {
				msgs = append(msgs, *e.Message)
			}
			assert.Equal(t, tc.want, msgs, "oldest first, across pages (one instant's in the order they happened)")
		})
	}
}

// scripted is a fake Beanstalk whose environment goes through given
// states, one per poll, with events appearing along the way.
func scripted(states []types.EnvironmentDescription, events map[int][]types.EventDescription) *fakeEB {
	poll := 0
	var seen []types.EventDescription
	return &fakeEB{
		DescribeEnvironmentsFn: func(*eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error) {
			i := min(poll, len(states)-1)
			seen = append(events[poll], seen...) // newest first
			poll++
			return &eb.DescribeEnvironmentsOutput{Environments: []types.EnvironmentDescription{states[i]}}, nil
		},
		DescribeEventsFn: func(in *eb.DescribeEventsInput) (*eb.DescribeEventsOutput, error) {
			var out []types.EventDescription
			for _, e := range seen {
				if !e.EventDate.Before(*in.StartTime) {
					out = append(out, e)
				}
			}
			return &eb.DescribeEventsOutput{Events: out}, nil
		},
		DescribeEnvironmentHealthFn: func(*eb.DescribeEnvironmentHealthInput) (*eb.DescribeEnvironmentHealthOutput, error) {
			return &eb.DescribeEnvironmentHealthOutput{Causes: []string{"Command failed on all instances."}}, nil
		},
	}
}

func state(status types.EnvironmentStatus, health types.EnvironmentHealth) types.EnvironmentDescription {
	return types.EnvironmentDescription{EnvironmentName: aws.String("e"), Status: status, Health: health}
}

func TestWaitHealthy(t *testing.T) {
	launching := state(types.EnvironmentStatusLaunching, types.EnvironmentHealthGrey)
	readyGrey := state(types.EnvironmentStatusReady, types.EnvironmentHealthGrey)
	green := state(types.EnvironmentStatusReady, types.EnvironmentHealthGreen)
	red := state(types.EnvironmentStatusReady, types.EnvironmentHealthRed)
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	event := func(sec int, sev types.EventSeverity, msg string) types.EventDescription {
		return types.EventDescription{EventDate: aws.Time(start.Add(time.Duration(sec) * time.Second)), Severity: sev, Message: aws.String(msg), EnvironmentName: aws.String("e")}
	}
	tests := map[string]struct {
		states  []types.EnvironmentDescription
		events  map[int][]types.EventDescription
		timeout time.Duration
		err     string
		is      error
		polls   int
	}{
		"becomes healthy": {states: []types.EnvironmentDescription{launching, launching, readyGrey, green}, polls: 4},
		"error event fails at once": {states: []types.EnvironmentDescription{launching}, events: map[int][]types.EventDescription{
			1: {event(1, types.EventSeverityError, "Failed to pull Docker image x.")},
		}, err: "environment e failed: status Launching, health Grey; Failed to pull Docker image x.; cause: Command failed on all instances.", is: ErrLaunchFailed, polls: 2},
		"red health fails": {states: []types.EnvironmentDescription{launching, red}, err: "health Red", is: ErrLaunchFailed, polls: 2},
		"terminated fails": {states: []types.EnvironmentDescription{state(types.EnvironmentStatusTerminating, types.EnvironmentHealthGrey)}, err: "being terminated", is: ErrLaunchFailed},
		"times out":        {states: []types.EnvironmentDescription{launching}, timeout: 2 * time.Minute, err: "timed out after 2m0s waiting for e to be Ready and healthy (last seen: status Launching, health Grey)", is: ErrTimeout},
		"enhanced needs Ok": {states: []types.EnvironmentDescription{
			{EnvironmentName: aws.String("e"), Status: types.EnvironmentStatusReady, Health: types.EnvironmentHealthGreen, HealthStatus: types.EnvironmentHealthStatusInfo},
			{EnvironmentName: aws.String("e"), Status: types.EnvironmentStatusReady, Health: types.EnvironmentHealthGreen, HealthStatus: types.EnvironmentHealthStatusOk},
		}, polls: 2},
		"warnings pass": {states: []types.EnvironmentDescription{launching, green}, events: map[int][]types.EventDescription{0: {event(0, types.EventSeverityWarn, "slow")}}, polls: 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			clk := beanstalktest.NewManualClock(start)
			f := scripted(tc.states, tc.events)
			rec := &progress.Recorder{}
			m := NewMonitor(f, MonitorOptions{Clock: clk})
			_, err := m.WaitHealthy(context.Background(), "app", "e", WaitOptions{Timeout: tc.timeout, Observer: rec.Observe})
			if tc.err != "" {
				require.Error(t, err)
				assert.ErrorContains(t, err, tc.err)
				assert.ErrorIs(t, err, tc.is)
			} else {
				require.NoError(t, err)
			}
			if tc.polls > 0 {
				assert.Equal(t, tc.polls, f.count("DescribeEnvironments"))
			}
			for _, e := range rec.Events() {
				if be, ok := e.(progress.BeanstalkEvent); ok {
					assert.Equal(t, "e", be.Environment)
				}
			}
		})
	}
}

// A new environment missing from a listing read within the propagation
// time is "not listed yet", however long the events read that follows
// it in the same poll is throttled: four processes on one account once
// failed a deploy so ("environment …: not found"), three minutes after
// a listing read two seconds after the create.
func TestWaitJudgesAMissingEnvironmentByWhenItWasListed(t *testing.T) {
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	clk := beanstalktest.NewManualClock(start)
	listings := 0
	f := &fakeEB{
		DescribeEnvironmentsFn: func(*eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error) {
			listings++
			switch {
			case listings == 1:
				return &eb.DescribeEnvironmentsOutput{}, nil // created, not listed yet
			case listings < 4:
				return &eb.DescribeEnvironmentsOutput{Environments: []types.EnvironmentDescription{state(types.EnvironmentStatusLaunching, types.EnvironmentHealthGrey)}}, nil
			}
			return &eb.DescribeEnvironmentsOutput{Environments: []types.EnvironmentDescription{state(types.EnvironmentStatusReady, types.EnvironmentHealthGreen)}}, nil
		},
		DescribeEventsFn: func(*eb.DescribeEventsInput) (*eb.DescribeEventsOutput, error) {
			if clk.Now().Before(start.Add(3 * time.Minute)) {
				return nil, apiErr("Throttling", "Rate exceeded")
			}
			return &eb.DescribeEventsOutput{}, nil
		},
	}
	m := NewMonitor(f, MonitorOptions{Clock: clk})
	env, err := m.WaitHealthy(context.Background(), "app", "e", WaitOptions{Since: start, Propagation: DefaultPropagation})
	require.NoError(t, err)
	assert.Equal(t, types.EnvironmentHealthGreen, env.Health)
	assert.Greater(t, clk.Now().Sub(start), DefaultPropagation, "the first poll's events read outlasted the propagation time")
}

func TestWaitReportsEachEventOnce(t *testing.T) {
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	launching := state(types.EnvironmentStatusLaunching, types.EnvironmentHealthGrey)
	ev := types.EventDescription{EventDate: aws.Time(start), Severity: types.EventSeverityInfo, Message: aws.String("createEnvironment is starting."), EnvironmentName: aws.String("e")}
	other := types.EventDescription{EventDate: aws.Time(start), Severity: types.EventSeverityError, Message: aws.String("other env broke"), EnvironmentName: aws.String("x")}
	f := scripted([]types.EnvironmentDescription{launching, launching, launching, state(types.EnvironmentStatusReady, types.EnvironmentHealthGreen)},
		map[int][]types.EventDescription{0: {ev, other}})
	rec := &progress.Recorder{}
	clk := beanstalktest.NewManualClock(start)
	_, err := NewMonitor(f, MonitorOptions{Clock: clk}).WaitHealthy(context.Background(), "app", "e", WaitOptions{Observer: rec.Observe})
	require.NoError(t, err, "another environment's error is not ours")
	n, statuses := 0, 0
	for _, e := range rec.Events() {
		switch e.(type) {
		case progress.BeanstalkEvent:
			n++
		case progress.EnvironmentStatus:
			statuses++
		}
	}
	assert.Equal(t, 1, n, "the inclusive StartTime returns it every poll; it is reported once")
	assert.Equal(t, 2, statuses, "Launching, then Ready/Green")
}

func TestWaitBacksOff(t *testing.T) {
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	launching := state(types.EnvironmentStatusLaunching, types.EnvironmentHealthGrey)
	states := make([]types.EnvironmentDescription, 12)
	for i := range states {
		states[i] = launching
	}
	states[11] = state(types.EnvironmentStatusReady, types.EnvironmentHealthGreen)
	clk := beanstalktest.NewManualClock(start)
	_, err := NewMonitor(scripted(states, nil), MonitorOptions{Clock: clk}).WaitHealthy(context.Background(), "app", "e", WaitOptions{})
	require.NoError(t, err)
	// 5s growing by half to 30s: 11 sleeps take far less than 11×30s but
	// more than 11×5s.
	took := clk.Now().Sub(start)
	assert.Greater(t, took, 11*5*time.Second)
	assert.Less(t, took, 11*30*time.Second)
}

func TestWaitCancelled(t *testing.T) {
	f := scripted([]types.EnvironmentDescription{state(types.EnvironmentStatusLaunching, types.EnvironmentHealthGrey)}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := NewMonitor(f, MonitorOptions{}).WaitHealthy(ctx, "app", "e", WaitOptions{})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
	var te *TimeoutError
	assert.False(t, errors.As(err, &te), "cancellation is not our timeout")
}
