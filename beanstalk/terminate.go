package beanstalk

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// terminate terminates env and waits until Beanstalk reports it
// Terminated. An environment already gone is not an error. One that is
// busy (updating) is waited for first, then terminated. It is not
// exported: what may be terminated is decided by the policies that call
// it (a failed candidate's, Prune's), never by a caller's choice.
func terminate(ctx context.Context, api TerminateAPI, m *Monitor, app, env string, o WaitOptions) error {
	o.IgnoreErrorEvents = true
	if o.Since.IsZero() {
		o.Since = m.clock.Now()
	}
	_, err := api.TerminateEnvironment(ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String(env)})
	if isNotReady(err) {
		settled := func(envs map[string]types.EnvironmentDescription) (bool, error) {
			e, ok := envs[env]
			return !ok || e.Status == types.EnvironmentStatusReady || e.Status == types.EnvironmentStatusTerminated, nil
		}
		if _, werr := m.Wait(ctx, app, []string{env}, "to settle before termination", settled, o); werr != nil {
			return fmt.Errorf("terminate %s: %w", env, werr)
		}
		_, err = api.TerminateEnvironment(ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String(env)})
	}
	if err != nil && !isNoSuchEnvironment(err) {
		return fmt.Errorf("terminate %s: %w", env, translate(err))
	}
	gone := func(envs map[string]types.EnvironmentDescription) (bool, error) {
		e, ok := envs[env]
		return !ok || e.Status == types.EnvironmentStatusTerminated, nil
	}
	if _, err := m.Wait(ctx, app, []string{env}, "to terminate", gone, o); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("terminate %s: %w", env, err)
	}
	return nil
}
