// Package swap moves live traffic to a new environment the blue/green
// way: it exchanges the CNAMEs of the new and the live environment, waits
// for Beanstalk to finish, verifies the live URL now serves the new
// version (and keeps doing so for a while), swaps back by itself when it
// does not, and points the live host's Route53 record at the live CNAME.
package swap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/progress"
)

// Step names the swap step in progress events.
const Step = "swap"

// SwapAPI is the Beanstalk call Swap makes besides polling;
// *elasticbeanstalk.Client satisfies it.
type SwapAPI interface {
	SwapEnvironmentCNAMEs(ctx context.Context, in *eb.SwapEnvironmentCNAMEsInput, optFns ...func(*eb.Options)) (*eb.SwapEnvironmentCNAMEsOutput, error)
}

// Swapper swaps CNAMEs. Set EB and Monitor; Route53 only when a zone is
// configured.
type Swapper struct {
	EB      SwapAPI
	Monitor *beanstalk.Monitor
	// Route53 updates the live host's record; nil skips that.
	Route53 RecordsAPI
	// Clock times the soak and DNS waits; default the Monitor's clock.
	Clock    clock.Clock
	Observer progress.Observer
	Logger   *slog.Logger
}

// Input is one swap.
type Input struct {
	Application string
	// Candidate is the environment to make live.
	Candidate string
	// Live is the environment holding the live CNAME now.
	Live string
	// LiveCNAME is the live CNAME, when known. A candidate that holds it
	// already (a swap an interrupted run started, which Beanstalk
	// finished) is not swapped again, only verified.
	LiveCNAME string
	// Version is the candidate's version label, for {version} in checks.
	Version string
	// Verify runs against the live CNAME after the swap; nil skips
	// verification (not recommended).
	Verify acceptance.Checker
	// Soak is how long the new live environment must stay healthy after
	// verification, before it is checked again; default 1 minute
	// (pymacaron slept 60 s before its live tests).
	Soak time.Duration
	// Timeout bounds each wait for Beanstalk; default 10 minutes.
	Timeout time.Duration
	// ZoneID and Host name the Route53 record to point at the live CNAME.
	ZoneID, Host string
	// DNSTimeout bounds the wait for the record change; default 5 minutes.
	DNSTimeout time.Duration
}

// Result says where live traffic is.
type Result struct {
	// Live is the environment now holding the live CNAME.
	Live string
	// Previous is the environment that held it before (kept for rollback).
	Previous string
	// LiveCNAME is the live CNAME.
	LiveCNAME string
	// RecordChanged is true when the Route53 record was written.
	RecordChanged bool
}

// Error reports a swap that did not end with the candidate live. It says
// at which stage it stopped, and whether traffic was swapped back.
type Error struct {
	// Stage is "swap", "verify" or "swap back".
	Stage string
	// Live is where live traffic is now, as far as known.
	Live string
	// SwappedBack is true when verification failed and the original live
	// environment holds the live CNAME again.
	SwappedBack bool
	// Err is the first failure; SwapBackErr the failure to swap back.
	Err         error
	SwapBackErr error
}

func (e *Error) Error() string {
	switch {
	case e.SwapBackErr != nil:
		return fmt.Sprintf("swap: %s failed: %v; swapping back FAILED too: %v; live traffic may be on %s: check now", e.Stage, e.Err, e.SwapBackErr, e.Live)
	case e.SwappedBack:
		return fmt.Sprintf("swap: %s failed: %v; swapped back, %s is live again", e.Stage, e.Err, e.Live)
	default:
		return fmt.Sprintf("swap: %s failed: %v; live traffic on %s", e.Stage, e.Err, e.Live)
	}
}

func (e *Error) Unwrap() []error {
	if e.SwapBackErr != nil {
		return []error{e.Err, e.SwapBackErr}
	}
	return []error{e.Err}
}

// ErrNotReady: an environment to swap is not Ready and healthy.
var ErrNotReady = errors.New("environment not ready for a swap")

func (s *Swapper) clock() clock.Clock {
	if s.Clock != nil {
		return s.Clock
	}
	return s.Monitor.Clock()
}

func (s *Swapper) info(msg string) {
	s.Observer.Emit(progress.Info{At: s.clock().Now(), Step: Step, Message: msg})
	if s.Logger != nil {
		s.Logger.Debug(msg, "step", Step)
	}
}

// Swap makes in.Candidate live. On success the candidate holds the live
// CNAME and passed verification twice (right after the swap and after the
// soak). When verification fails it swaps back and returns an *Error with
// SwappedBack set.
func (s *Swapper) Swap(ctx context.Context, in Input) (*Result, error) {
	if in.Timeout <= 0 {
		in.Timeout = 10 * time.Minute
	}
	if in.Soak <= 0 {
		in.Soak = time.Minute
	}
	envs, err := s.Monitor.Environments(ctx, in.Application, in.Candidate, in.Live)
	if err != nil {
		return nil, &Error{Stage: "swap", Live: in.Live, Err: err}
	}
	var cand, live types.EnvironmentDescription
	for _, p := range []struct {
		name string
		env  *types.EnvironmentDescription
	}{{in.Candidate, &cand}, {in.Live, &live}} {
		e, err := beanstalk.Newest(envs, p.name)
		if err != nil {
			return nil, &Error{Stage: "swap", Live: in.Live, Err: err}
		}
		if e.Status != types.EnvironmentStatusReady {
			return nil, &Error{Stage: "swap", Live: in.Live, Err: fmt.Errorf("%w: %s is %s", ErrNotReady, p.name, e.Status)}
		}
		*p.env = e
	}
	if cand.Health != types.EnvironmentHealthGreen {
		return nil, &Error{Stage: "swap", Live: in.Live, Err: fmt.Errorf("%w: %s health is %s", ErrNotReady, in.Candidate, cand.Health)}
	}
	liveCNAME := aws.ToString(live.CNAME)
	if in.LiveCNAME != "" && beanstalk.SameHost(aws.ToString(cand.CNAME), in.LiveCNAME) {
		liveCNAME = in.LiveCNAME
		s.info(fmt.Sprintf("%s holds %s already (an earlier run swapped); verifying", in.Candidate, liveCNAME))
	} else {
		s.info(fmt.Sprintf("swapping CNAMEs: %s takes %s from %s", in.Candidate, liveCNAME, in.Live))
		if err := s.exchange(ctx, in, in.Candidate, in.Live, liveCNAME); err != nil {
			return nil, &Error{Stage: "swap", Live: in.Live, Err: err}
		}
	}
	res := &Result{Live: in.Candidate, Previous: in.Live, LiveCNAME: liveCNAME}
	s.info(fmt.Sprintf("%s now holds %s", in.Candidate, liveCNAME))

	if err := s.verify(ctx, in, liveCNAME); err != nil {
		s.info(fmt.Sprintf("verification of %s failed; swapping back to %s", liveCNAME, in.Live))
		if ctx.Err() != nil {
			return res, &Error{Stage: "verify", Live: in.Candidate, Err: err, SwapBackErr: fmt.Errorf("not attempted: %w", ctx.Err())}
		}
		if berr := s.exchange(ctx, in, in.Live, in.Candidate, liveCNAME); berr != nil {
			return res, &Error{Stage: "verify", Live: "unknown", Err: err, SwapBackErr: berr}
		}
		return nil, &Error{Stage: "verify", Live: in.Live, SwappedBack: true, Err: err}
	}

	if in.ZoneID != "" && in.Host != "" && s.Route53 != nil {
		changed, err := s.pointRecord(ctx, in, liveCNAME)
		res.RecordChanged = changed
		if err != nil {
			return res, fmt.Errorf("swap succeeded, %s is live, but updating Route53: %w", in.Candidate, err)
		}
	}
	return res, nil
}

// exchange swaps the CNAMEs of a (taking cname) and b, and waits until
// Beanstalk shows a holding it and both Ready.
func (s *Swapper) exchange(ctx context.Context, in Input, a, b, cname string) error {
	since := s.clock().Now()
	_, err := s.EB.SwapEnvironmentCNAMEs(ctx, &eb.SwapEnvironmentCNAMEsInput{
		SourceEnvironmentName:      aws.String(a),
		DestinationEnvironmentName: aws.String(b),
	})
	if err != nil {
		return fmt.Errorf("swap CNAMEs of %s and %s: %w", a, b, err)
	}
	swapped := func(envs map[string]types.EnvironmentDescription) (bool, error) {
		ea, eb := envs[a], envs[b]
		return ea.Status == types.EnvironmentStatusReady && eb.Status == types.EnvironmentStatusReady &&
			beanstalk.SameHost(aws.ToString(ea.CNAME), cname), nil
	}
	_, err = s.Monitor.Wait(ctx, in.Application, []string{a, b}, "to finish swapping CNAMEs", swapped,
		beanstalk.WaitOptions{Timeout: in.Timeout, Since: since, Observer: s.Observer, Interval: 2 * time.Second})
	return err
}

// verify runs the checks against the live CNAME, waits the soak, checks
// the environment is still healthy, and runs them again.
func (s *Swapper) verify(ctx context.Context, in Input, liveCNAME string) error {
	if in.Verify == nil {
		s.info("no verification configured: trusting the swap")
		return nil
	}
	target := acceptance.Target{URL: "http://" + liveCNAME, Environment: in.Candidate, Version: in.Version}
	if err := in.Verify.Check(ctx, target); err != nil {
		return err
	}
	s.info(fmt.Sprintf("live URL serves %s; watching it for %s", in.Version, in.Soak))
	if err := s.clock().Sleep(ctx, in.Soak); err != nil {
		return err
	}
	e, err := s.Monitor.Environment(ctx, in.Application, in.Candidate)
	if err != nil {
		return err
	}
	if e.Health == types.EnvironmentHealthRed {
		causes := s.Monitor.HealthCauses(ctx, in.Candidate)
		return fmt.Errorf("%s turned %s (%s) after the swap: %v", in.Candidate, e.Health, e.HealthStatus, causes)
	}
	return in.Verify.Check(ctx, target)
}
