package swap

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/smithy-go"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
)

// exchange swaps the CNAMEs of a (taking cname) and b, and waits until
// Beanstalk shows a holding it and both Ready (envs, as then). called
// says whether the swap call may have taken effect: after it, a failed
// wait leaves traffic on either environment.
func (s Swapper) exchange(ctx context.Context, in Input, a, b, cname string) (envs map[string]types.EnvironmentDescription, called bool, err error) {
	since := s.Clocked().Now()
	_, err = s.EB.SwapEnvironmentCNAMEs(ctx, &eb.SwapEnvironmentCNAMEsInput{
		SourceEnvironmentName:      aws.String(a),
		DestinationEnvironmentName: aws.String(b),
	})
	if err != nil {
		return nil, !refused(err), fmt.Errorf("swap CNAMEs of %s and %s: %w", a, b, err)
	}
	swapped := func(envs map[string]types.EnvironmentDescription) (bool, error) {
		ea, eb := envs[a], envs[b]
		return ea.Status == types.EnvironmentStatusReady && eb.Status == types.EnvironmentStatusReady &&
			beanstalk.SameHost(aws.ToString(ea.CNAME), cname), nil
	}
	envs, err = s.Monitor.Wait(ctx, in.Application, []string{a, b}, "to finish swapping CNAMEs", swapped,
		beanstalk.WaitOptions{Timeout: in.Timeout, Since: since, Observer: s.Observer, Interval: 2 * time.Second})
	return envs, true, err
}

// verify runs the checks against the live CNAME, waits the soak (reading
// meanwhile the tags of retired, the environment the swap took the CNAME
// from, when known), checks the environment is still healthy, and runs
// them again. It returns how many rounds passed.
func (s Swapper) verify(ctx context.Context, in Input, liveCNAME string, retired types.EnvironmentDescription) (int, error) {
	target := acceptance.Target{URL: in.url(liveCNAME), Environment: in.Candidate, Version: in.Version}
	if err := in.Check.Check(ctx, target); err != nil {
		return 0, err
	}
	s.Info(Step, fmt.Sprintf("live URL serves %s; watching it for %s", in.Version, in.Soak))
	soaked := s.Clocked().Now().Add(in.Soak)
	if retired.EnvironmentArn != nil {
		// The swap moved the retired environment's DateUpdated, so its
		// tags must be read again before pruning judges it. Read now,
		// while nothing else happens, the monitor keeps them (they hold
		// while DateUpdated stays): pruning finds them, instead of a
		// fleet's deploys queueing for them at once. Best effort.
		_, _ = s.Monitor.TagsOf(ctx, s.EB, retired)
	}
	if err := s.Clocked().Sleep(ctx, soaked.Sub(s.Clocked().Now())); err != nil {
		return 1, err
	}
	e, err := s.Monitor.Environment(ctx, in.Application, in.Candidate)
	if err != nil {
		return 1, err
	}
	if e.Health == types.EnvironmentHealthRed {
		msg := fmt.Sprintf("%s turned %s after the swap", in.Candidate, e.Health)
		if e.HealthStatus != "" {
			msg = fmt.Sprintf("%s turned %s (%s) after the swap", in.Candidate, e.Health, e.HealthStatus)
		}
		if causes := s.Monitor.HealthCauses(ctx, in.Candidate); len(causes) > 0 {
			msg += ": " + strings.Join(causes, "; ")
		}
		return 1, errors.New(msg)
	}
	if err := in.Check.Check(ctx, target); err != nil {
		return 1, err
	}
	return 2, nil
}

// refused reports an error that proves the call did nothing: Beanstalk
// answered it with a client error. A call cut short (cancelled, a dropped
// connection, a server error) may have been carried out all the same.
func refused(err error) bool {
	var ae smithy.APIError
	var status interface{ HTTPStatusCode() int }
	if !errors.As(err, &ae) {
		return false
	}
	return !errors.As(err, &status) || status.HTTPStatusCode() < 500
}
