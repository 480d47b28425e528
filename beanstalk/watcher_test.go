package beanstalk

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalktest"
)

// A wait that wants no events (a termination's) learns its kind's events
// from the polls that read them for other waits: in a fleet, a read of
// its own at its end, one per deploy, was a tenth of the Describe calls.
// Alone, it still makes that read.
func TestWaitWithoutEventsLearnsThemFromSharedReads(t *testing.T) {
	for _, tc := range []struct {
		name             string
		beside           bool // a wait that wants events runs meanwhile
		wantOwnReads     int  // DescribeEvents calls from the quiet wait's start
		wantLearnedEvent bool
	}{
		{"alone: one read at its end", false, 1, true},
		{"beside a launch: none of its own", true, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
			clk := beanstalktest.NewVirtualClock(start)
			defer clk.Close()
			quietFrom := start.Add(7 * time.Second) // the termination starts
			at := func(d time.Duration) *time.Time { return aws.Time(start.Add(d)) }
			all := []types.EventDescription{
				{EventDate: at(7 * time.Second), EnvironmentName: aws.String("old"), Message: aws.String("terminateEnvironment is starting.")},
				{EventDate: at(30 * time.Second), EnvironmentName: aws.String("old"), Message: aws.String("Deleted security group named: sg-1")},
				{EventDate: at(50 * time.Second), EnvironmentName: aws.String("old"), Message: aws.String("terminateEnvironment completed successfully.")},
				{EventDate: at(20 * time.Second), EnvironmentName: aws.String("new"), Message: aws.String("Created security group named: sg-2")},
				{EventDate: at(80 * time.Second), EnvironmentName: aws.String("new"), Message: aws.String("Successfully launched environment: new")},
			}
			var mu sync.Mutex
			var starts []time.Time // of every DescribeEvents call
			f := &fakeEB{
				DescribeEnvironmentsFn: func(in *eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error) {
					now := clk.Now()
					old := types.EnvironmentDescription{EnvironmentName: aws.String("old"), Status: types.EnvironmentStatusTerminating, Health: types.EnvironmentHealthGrey}
					if !now.Before(start.Add(50 * time.Second)) {
						old.Status = types.EnvironmentStatusTerminated
					}
					fresh := types.EnvironmentDescription{EnvironmentName: aws.String("new"), Status: types.EnvironmentStatusLaunching, Health: types.EnvironmentHealthGrey}
					if !now.Before(start.Add(80 * time.Second)) {
						fresh.Status, fresh.Health = types.EnvironmentStatusReady, types.EnvironmentHealthGreen
					}
					return &eb.DescribeEnvironmentsOutput{Environments: []types.EnvironmentDescription{old, fresh}}, nil
				},
				DescribeEventsFn: func(in *eb.DescribeEventsInput) (*eb.DescribeEventsOutput, error) {
					mu.Lock()
					starts = append(starts, aws.ToTime(in.StartTime))
					mu.Unlock()
					var out []types.EventDescription
					for _, e := range all {
						d := aws.ToTime(e.EventDate)
						if !d.Before(aws.ToTime(in.StartTime)) && !d.After(clk.Now()) {
							out = append(out, e)
						}
					}
					slices.SortFunc(out, func(a, b types.EventDescription) int { return aws.ToTime(b.EventDate).Compare(aws.ToTime(a.EventDate)) })
					return &eb.DescribeEventsOutput{Events: out}, nil
				},
			}
			m := NewMonitor(f, MonitorOptions{Clock: clk})
			var wg sync.WaitGroup
			if tc.beside {
				wg.Go(func() {
					_, err := m.WaitHealthy(context.Background(), "app", "new", WaitOptions{Since: start, Timeout: 10 * time.Minute})
					assert.NoError(t, err)
				})
			}
			require.NoError(t, clk.Sleep(context.Background(), quietFrom.Sub(start)))
			gone := func(envs map[string]types.EnvironmentDescription) (bool, error) {
				return envs["old"].Status == types.EnvironmentStatusTerminated, nil
			}
			_, err := m.Wait(context.Background(), "app", []string{"old"}, "to terminate", gone, WaitOptions{Since: quietFrom, Timeout: 10 * time.Minute, IgnoreErrorEvents: true})
			require.NoError(t, err)
			wg.Wait()

			mu.Lock()
			defer mu.Unlock()
			own := 0
			for _, s := range starts {
				if s.Equal(quietFrom) {
					own++
				}
			}
			assert.Equal(t, tc.wantOwnReads, own, "DescribeEvents calls from the terminating wait's start (of %d)", len(starts))
			assert.Equal(t, tc.wantLearnedEvent, hasEvents(m.w.learned.get("app\x00to terminate")), "its kind learned events")
		})
	}
}

// A poll under way when a wait ends leaves the ended wait alone: its
// predictor is the wait's own again (remove reads it, unlocked, to learn).
func TestPollLeavesAWaitThatEndedDuringItAlone(t *testing.T) {
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	clk := beanstalktest.NewVirtualClock(start)
	defer clk.Close()
	inPoll, release := make(chan struct{}), make(chan struct{})
	f := &fakeEB{
		DescribeEnvironmentsFn: func(*eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error) {
			return &eb.DescribeEnvironmentsOutput{Environments: []types.EnvironmentDescription{
				{EnvironmentName: aws.String("old"), Status: types.EnvironmentStatusTerminating},
				{EnvironmentName: aws.String("new"), Status: types.EnvironmentStatusLaunching},
			}}, nil
		},
		DescribeEventsFn: func(*eb.DescribeEventsInput) (*eb.DescribeEventsOutput, error) {
			close(inPoll)
			<-release
			return &eb.DescribeEventsOutput{Events: []types.EventDescription{
				{EventDate: aws.Time(start.Add(10 * time.Second)), EnvironmentName: aws.String("old"), Message: aws.String("Deleted security group named: sg-1")},
			}}, nil
		},
	}
	m := NewMonitor(f, MonitorOptions{Clock: clk})
	newWatch := func(name string, events bool) *watch {
		return &watch{app: "app", names: []string{name}, key: "app\x00" + name, events: events, from: start,
			deadline: start.Add(time.Hour), pred: newPredictor(start, nil, 0)}
	}
	launch, quiet := newWatch("new", true), newWatch("old", false)
	m.w.add(quiet, plan{at: start.Add(time.Hour), env: true})
	m.w.add(launch, plan{at: start, env: true, events: true})
	<-inPoll
	m.w.remove(context.Background(), quiet, false)
	close(release)
	_, err := m.w.next(context.Background(), launch)
	require.NoError(t, err)
	m.w.remove(context.Background(), launch, false)

	m.w.mu.Lock()
	defer m.w.mu.Unlock()
	assert.Empty(t, quiet.pred.seen, "marks given to the ended wait")
	assert.Empty(t, quiet.queue, "snapshots queued for the ended wait")
}
