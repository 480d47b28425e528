// Package swap moves live traffic to a new environment the blue/green
// way, and is the only code in beanswap that does:
//
//	res, err := swap.Swapper{EB: client}.Swap(ctx, swap.Input{
//		Application: "hello", Candidate: "hello-1-4-2-3f9a0c1b", Live: "hello-1-4-1-77aa01ee",
//		Version: "1.4.2-3f9a0c1b2e", Check: checks,
//	})
//
// Swap makes sure the candidate is Ready and healthy and passed its
// acceptance checks (it runs them itself unless handed the proof that
// they passed), marks the live environment as the one kept for rollback,
// exchanges the CNAMEs of the two, waits for Beanstalk to finish,
// verifies the live URL now serves the candidate (at once and again after
// a soak), swaps back by itself when it does not, marks the candidate
// live when it does, and points the live host's Route53 record at the
// live CNAME.
package swap

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
)

// Step names the swap step in progress events.
const Step = "swap"

// SwapAPI is the Beanstalk calls Swap makes; *elasticbeanstalk.Client
// satisfies it.
type SwapAPI interface {
	beanstalk.MonitorAPI
	beanstalk.TagsAPI
	beanstalk.ConfigurationAPI
	SwapEnvironmentCNAMEs(ctx context.Context, in *eb.SwapEnvironmentCNAMEsInput, optFns ...func(*eb.Options)) (*eb.SwapEnvironmentCNAMEsOutput, error)
}

// Swapper swaps CNAMEs. Set EB; Route53 only when a zone is configured.
// A missing client or input is an error naming it, never a panic; a
// Swapper is not modified by its methods.
type Swapper struct {
	EB SwapAPI
	// Route53 updates the live host's record; nil skips that.
	Route53 RecordsAPI
	beanstalk.Runtime
}

// Input is one swap.
type Input struct {
	// Application, Candidate and Live are required: the candidate takes
	// the live CNAME from Live.
	Application string
	Candidate   string
	Live        string
	// LiveCNAME is the live CNAME, when known. A candidate that holds it
	// already (a swap an interrupted run started, which Beanstalk
	// finished) is not swapped again, only verified.
	LiveCNAME string
	// Version is the candidate's version label, for {version} in checks.
	Version string
	// Check is required: the acceptance checks, run against the
	// candidate before the swap (unless Accepted proves they passed) and
	// against the live CNAME after it.
	Check acceptance.Checker
	// Accepted is the proof, from acceptance.Run or
	// beanstalk.Deployment.Accept, that Check passed on the candidate.
	Accepted acceptance.Passed
	// HTTPS reaches the environments over HTTPS (they have a certificate).
	HTTPS bool
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
	// Verified counts the passed checks of the live URL (two: right after
	// the swap and after the soak).
	Verified int
	// RecordChanged is true when the Route53 record was written.
	RecordChanged bool
}

func (in Input) check() error {
	switch {
	case in.Application == "":
		return fmt.Errorf("swap: Input.Application is empty: %w", ErrInvalidInput)
	case in.Candidate == "":
		return fmt.Errorf("swap: Input.Candidate is empty: %w", ErrInvalidInput)
	case in.Live == "":
		return fmt.Errorf("swap: Input.Live is empty: %w", ErrInvalidInput)
	case in.Candidate == in.Live:
		return fmt.Errorf("swap: %s is live already: %w", in.Candidate, ErrInvalidInput)
	case in.Check == nil:
		return fmt.Errorf("swap: Input.Check is nil: live traffic only moves to a checked environment: %w", ErrInvalidInput)
	}
	return nil
}

func (in Input) withDefaults() Input {
	if in.Timeout <= 0 {
		in.Timeout = 10 * time.Minute
	}
	if in.Soak <= 0 {
		in.Soak = time.Minute
	}
	if in.DNSTimeout <= 0 {
		in.DNSTimeout = 5 * time.Minute
	}
	return in
}

func (in Input) url(host string) string {
	if in.HTTPS {
		return "https://" + host
	}
	return "http://" + host
}

// Swap makes in.Candidate live. On success the candidate holds the live
// CNAME, passed verification twice (right after the swap and after the
// soak) and is marked live. When verification fails it swaps back and
// returns an *Error with SwappedBack set; every failure is an *Error
// saying where live traffic is.
func (s Swapper) Swap(ctx context.Context, in Input) (*Result, error) {
	if s.EB == nil {
		return nil, fmt.Errorf("swap: Swapper.EB is nil: %w", beanstalk.ErrMissingClient)
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	in = in.withDefaults()
	s.Monitor = s.MonitorFor(s.EB) // one budget for the whole call (s is a copy)
	fail := func(stage string, err error) *Error {
		return &Error{Stage: stage, Live: in.Live, Candidate: in.Candidate, Previous: in.Live, LiveCNAME: in.LiveCNAME, Err: err}
	}

	cand, live, err := s.ready(ctx, in)
	if err != nil {
		return nil, fail(StageSwap, err)
	}
	liveCNAME := aws.ToString(live.CNAME)
	resumed := in.LiveCNAME != "" && beanstalk.SameHost(aws.ToString(cand.CNAME), in.LiveCNAME)
	if resumed {
		liveCNAME = in.LiveCNAME
		s.Info(Step, fmt.Sprintf("%s holds %s already (an earlier run swapped); verifying", in.Candidate, liveCNAME))
	} else if err := s.Monitor.CheckDatabase(ctx, s.EB, in.Application, in.Live); err != nil {
		return nil, fail(StageSwap, err)
	} else if !in.Accepted.Covers(in.Candidate, in.Version) {
		s.Info(Step, "checking "+in.Candidate+" before it takes live traffic")
		if err := in.Check.Check(ctx, acceptance.Target{URL: in.url(aws.ToString(cand.CNAME)), Environment: in.Candidate, Version: in.Version}); err != nil {
			return nil, fail(StageAccept, err)
		}
	}
	// The environment losing the CNAME must stay recognisable as the
	// rollback one, or pruning would take it for an abandoned candidate.
	if err := s.markRollback(ctx, in, live); err != nil {
		return nil, fail(StageSwap, err)
	}
	var retired types.EnvironmentDescription
	if !resumed {
		s.Info(Step, fmt.Sprintf("swapping CNAMEs: %s takes %s from %s", in.Candidate, liveCNAME, in.Live))
		envs, called, err := s.exchange(ctx, in, in.Candidate, in.Live, liveCNAME)
		if err != nil {
			e := fail(StageSwap, err)
			e.LiveCNAME = liveCNAME
			if called {
				e.Swapped, e.Live = true, "" // the call went out: either may hold it
			}
			return nil, e
		}
		s.Info(Step, fmt.Sprintf("%s now holds %s", in.Candidate, liveCNAME))
		retired = envs[in.Live]
	}
	res := &Result{Live: in.Candidate, Previous: in.Live, LiveCNAME: liveCNAME}

	verified, err := s.verify(ctx, in, liveCNAME, retired)
	res.Verified = verified
	if err != nil {
		e := fail(StageVerify, err)
		e.Swapped, e.LiveCNAME, e.Live = true, liveCNAME, in.Candidate
		if ctx.Err() != nil {
			e.Live, e.SwapBackErr = "", fmt.Errorf("not attempted: %w", ctx.Err())
			return res, e
		}
		s.Info(Step, fmt.Sprintf("verification of %s failed; swapping back to %s", liveCNAME, in.Live))
		if _, _, berr := s.exchange(ctx, in, in.Live, in.Candidate, liveCNAME); berr != nil {
			e.Live, e.SwapBackErr = "", berr
			return res, e
		}
		e.Live, e.SwappedBack = in.Live, true
		return nil, e
	}
	if err := s.Monitor.MarkLive(ctx, s.EB, in.Application, cand, s.Clocked().Now(), beanstalk.WaitOptions{Timeout: in.Timeout, Observer: s.Observer}); err != nil {
		s.Warn(Step, err.Error()+" (it is live; pruning keeps it as such)")
	}

	if in.ZoneID != "" && in.Host != "" && s.Route53 != nil {
		changed, err := s.pointRecord(ctx, in, liveCNAME)
		res.RecordChanged = changed
		if err != nil {
			return res, &RecordError{Live: in.Candidate, LiveCNAME: liveCNAME, Host: in.Host, Err: err}
		}
	}
	return res, nil
}

// ready describes both environments and waits (bounded) while either is
// busy (an update, a tag write); it refuses one that is terminating or
// gone, and a candidate that is not healthy.
func (s Swapper) ready(ctx context.Context, in Input) (cand, live types.EnvironmentDescription, err error) {
	names := []string{in.Candidate, in.Live}
	settled := func(envs map[string]types.EnvironmentDescription) (bool, error) {
		for _, n := range names {
			e, ok := envs[n]
			if !ok {
				return false, fmt.Errorf("environment %s: %w", n, beanstalk.ErrNotFound)
			}
			switch e.Status {
			case types.EnvironmentStatusReady:
			case types.EnvironmentStatusLaunching, types.EnvironmentStatusUpdating:
				return false, nil
			default:
				return false, fmt.Errorf("%w: %s is %s", ErrNotReady, n, e.Status)
			}
		}
		return true, nil
	}
	envs, err := s.Monitor.Wait(ctx, in.Application, names, "to be Ready for the swap", settled,
		beanstalk.WaitOptions{Timeout: in.Timeout, Observer: s.Observer, Interval: 5 * time.Second, IgnoreErrorEvents: true, Propagation: 30 * time.Second})
	if err != nil {
		return cand, live, err
	}
	cand, live = envs[in.Candidate], envs[in.Live]
	if cand.Health != types.EnvironmentHealthGreen {
		return cand, live, fmt.Errorf("%w: %s health is %s", ErrNotReady, in.Candidate, cand.Health)
	}
	return cand, live, nil
}

// markRollback tags the live environment as having gone live, when it
// is not tagged so yet (a first deploy never verified, one made by
// hand): it is about to become the rollback environment.
func (s Swapper) markRollback(ctx context.Context, in Input, live types.EnvironmentDescription) error {
	tags, err := s.Monitor.TagsOf(ctx, s.EB, live)
	if err != nil {
		return err
	}
	if tags[beanstalk.TagWentLive] != "" {
		return nil
	}
	since := aws.ToTime(live.DateUpdated)
	if since.IsZero() {
		since = s.Clocked().Now()
	}
	if err := s.Monitor.MarkLive(ctx, s.EB, in.Application, live, since, beanstalk.WaitOptions{Timeout: in.Timeout, Observer: s.Observer}); err != nil {
		return fmt.Errorf("mark %s as the rollback environment (nothing was swapped): %w", in.Live, err)
	}
	// The tag write is an update of the environment: let it finish.
	_, _, err = s.ready(ctx, in)
	return err
}
