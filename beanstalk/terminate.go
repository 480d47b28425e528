package beanstalk

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/progress"
)

// StepTerminate names a termination in progress events.
const StepTerminate = "terminate"

// terminate terminates env and waits until Beanstalk reports it
// Terminated. An environment already gone is not an error. One Beanstalk
// will not terminate yet (launching, updating: "Must be Ready") is waited
// for, within the timeout, and said so; then terminated. It is not
// exported: what may be terminated is decided by the policies that call
// it (a failed candidate's, Prune's), never by a caller's choice.
func terminate(ctx context.Context, api TerminateAPI, m *Monitor, app, env string, o WaitOptions) error {
	o.IgnoreErrorEvents = true
	if o.Since.IsZero() {
		o.Since = m.clock.Now()
	}
	o = o.withDefaults(m.clock.Now())
	deadline := m.clock.Now().Add(o.Timeout)
	for {
		_, err := api.TerminateEnvironment(ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String(env)})
		if err != nil && isNoSuchEnvironment(err) {
			break
		}
		if err != nil && !isNotReady(err) {
			return fmt.Errorf("terminate %s: %w", env, translate(err))
		}
		if err == nil {
			break
		}
		left := deadline.Sub(m.clock.Now())
		if left <= 0 {
			return fmt.Errorf("terminate %s: still not Ready after %s: %w", env, o.Timeout, ErrTimeout)
		}
		o.Observer.Emit(progress.Info{At: m.clock.Now(), Step: StepTerminate,
			Message: fmt.Sprintf("%s cannot be terminated while it launches or updates: waiting until it can (up to %s)", env, left.Round(1e9))})
		settled := func(envs map[string]types.EnvironmentDescription) (bool, error) {
			e, ok := envs[env]
			return !ok || e.Status == types.EnvironmentStatusReady || e.Status == types.EnvironmentStatusTerminated, nil
		}
		wo := o
		wo.Timeout, wo.Propagation = left, DefaultPropagation
		if _, werr := m.Wait(ctx, app, []string{env}, "to settle before termination", settled, wo); werr != nil {
			return fmt.Errorf("terminate %s: %w", env, werr)
		}
	}
	gone := func(envs map[string]types.EnvironmentDescription) (bool, error) {
		e, ok := envs[env]
		return !ok || e.Status == types.EnvironmentStatusTerminated, nil
	}
	o.Timeout = max(deadline.Sub(m.clock.Now()), o.Interval)
	if _, err := m.Wait(ctx, app, []string{env}, "to terminate", gone, o); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("terminate %s: %w", env, err)
	}
	return nil
}
