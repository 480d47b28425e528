package beanstalk

import (
	"context"
	"testing"
	"time"

	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalktest"
)

func TestTerminate(t *testing.T) {
	ready := state(types.EnvironmentStatusReady, types.EnvironmentHealthGreen)
	updating := state(types.EnvironmentStatusUpdating, types.EnvironmentHealthGreen)
	terminating := state(types.EnvironmentStatusTerminating, types.EnvironmentHealthGrey)
	terminated := state(types.EnvironmentStatusTerminated, types.EnvironmentHealthGrey)
	notReady := apiErr("InvalidParameterValue", "Environment named e is in an invalid state for this operation. Must be Ready.")

	tests := map[string]struct {
		states     []types.EnvironmentDescription
		terminate  []error // what each TerminateEnvironment call returns
		timeout    time.Duration
		err        string
		is         error
		terminates int
	}{
		"ready environment": {
			states: []types.EnvironmentDescription{terminating, terminating, terminated}, terminate: []error{nil}, terminates: 1,
		},
		"already gone": {
			states: []types.EnvironmentDescription{terminated}, terminate: []error{apiErr("InvalidParameterValue", "No Environment found for EnvironmentName = 'e'.")}, terminates: 1,
		},
		"busy: waits until Ready, then terminates": {
			states: []types.EnvironmentDescription{updating, updating, ready, terminating, terminated}, terminate: []error{notReady, nil}, terminates: 2,
		},
		"refused": {
			states: []types.EnvironmentDescription{ready}, terminate: []error{apiErr("InsufficientPrivilegesException", "not allowed")},
			err: "terminate e: ", terminates: 1,
		},
		"never terminates": {
			states: []types.EnvironmentDescription{terminating}, terminate: []error{nil}, timeout: 5 * time.Minute,
			err: "terminate e: timed out after 5m0s", is: ErrTimeout, terminates: 1,
		},
		"busy for too long": {
			states: []types.EnvironmentDescription{updating}, terminate: []error{notReady}, timeout: 5 * time.Minute,
			err: "to settle before termination", is: ErrTimeout, terminates: 1,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := scripted(tc.states, nil)
			calls := 0
			f.TerminateEnvironmentFn = func(*eb.TerminateEnvironmentInput) (*eb.TerminateEnvironmentOutput, error) {
				err := tc.terminate[min(calls, len(tc.terminate)-1)]
				calls++
				return &eb.TerminateEnvironmentOutput{}, err
			}
			m := NewMonitor(f, MonitorOptions{Clock: beanstalktest.NewManualClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))})
			err := terminate(context.Background(), f, m, "app", "e", WaitOptions{Timeout: tc.timeout})
			if tc.err == "" {
				require.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tc.err)
				if tc.is != nil {
					assert.ErrorIs(t, err, tc.is)
				}
			}
			assert.Equal(t, tc.terminates, calls)
		})
	}
}
