package beanswap

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/lock"
	"github.com/beanswap/beanswap/notify"
	"github.com/beanswap/beanswap/progress"
	"github.com/beanswap/beanswap/secret"
	"github.com/beanswap/beanswap/swap"
)

// Step names, as progress events carry them, in the order a deploy runs them.
const (
	StepPreflight  = "preflight"
	StepLock       = lock.Step
	StepAuth       = "registry-auth"
	StepBundle     = "bundle"
	StepDeploy     = beanstalk.StepDeploy
	StepAcceptance = beanstalk.StepAccept
	StepSwap       = swap.Step
	StepStage      = "stage"
	StepPromote    = "promote"
	StepCapacity   = beanstalk.StepCapacity
	StepPrune      = beanstalk.StepPrune
)

// Report says what a deploy did, for people and for callers.
type Report struct {
	Service string
	Image   string
	Version string
	// Auth is the registry auth file written (or why none was needed).
	Auth dockercfg.Published
	// Deployment is the new environment; nil if the deploy step failed.
	Deployment *beanstalk.Deployment
	// Swap says where live traffic went; nil when there was no swap.
	Swap *swap.Result
	// Live is the environment holding the live CNAME at the end; "" when
	// it is unknown (a swap was interrupted: run Status).
	Live string
	// LiveCNAME is the live CNAME.
	LiveCNAME string
	// Promoted: the report of a Promote.
	Promoted bool
	// Staged is the environment a staged deploy left accepted beside the
	// live one, and StagedURL where it answers; "" otherwise.
	Staged, StagedURL string
	// CapacityRestored: the new environment's MinSize, raised to match the
	// environment it replaced, was lowered back once it was live.
	CapacityRestored bool
	// Pruned is what pruning did after the deploy, when it ran.
	Pruned *beanstalk.PruneResult
	// Left says what a failed deploy left behind on AWS.
	Left string
	// Diagnostics say why the new environment failed (its events,
	// health causes, the end of its logs), scrubbed of secrets; nil when
	// it did not.
	Diagnostics *beanstalk.Diagnostics
	Took        time.Duration
}

// ErrInvalidImage means the image reference cannot be parsed.
var ErrInvalidImage = errors.New("invalid image reference")

// deploy is one Deploy call: what its steps share, set once.
type deploy struct {
	s       *Service
	rt      beanstalk.Runtime
	scrub   *secret.Scrubber
	spec    beanstalk.Spec
	check   acceptance.Checker
	lease   *lock.Lease
	report  *Report
	src     source    // read by the preflight
	staged  bool      // Stage, not Deploy
	promote bool      // Promote
	start   time.Time // when the run began
}

// begin is the state of a run reporting into report; end, deferred with
// the run's error, closes it.
func (s *Service) begin(rt beanstalk.Runtime, scrub *secret.Scrubber, report *Report) *deploy {
	return &deploy{s: s, rt: rt, scrub: scrub, spec: s.Config.Spec(), check: s.checker(rt), report: report, start: rt.Clock.Now()}
}

// end finishes the run (finish), times it and publishes its outcome.
func (d *deploy) end(ctx context.Context, err *error) {
	d.finish(err)
	d.report.Took = d.rt.Clock.Now().Sub(d.start)
	d.s.publish(ctx, d.rt, d.outcome(d.start, *err))
}

// Deploy ships image blue/green: registry auth, bundle, a new environment
// beside the live one, acceptance, swap, prune — each a step of its own
// with its inputs and outputs, under the service's deploy lease. It
// returns the report even on failure, with what was done and what was
// left; the error says which step failed and why.
func (s *Service) Deploy(ctx context.Context, image string) (report *Report, err error) {
	return s.deploy(ctx, image, false)
}

// Stage is Deploy without going live: the new environment is launched,
// accepted and left staged beside the live one (Report.Staged), for
// Promote to move live traffic to later. There must be a live
// environment: a first deploy goes live at once.
func (s *Service) Stage(ctx context.Context, image string) (report *Report, err error) {
	return s.deploy(ctx, image, true)
}

func (s *Service) deploy(ctx context.Context, image string, staged bool) (report *Report, err error) {
	if err := s.check(true); err != nil {
		return nil, err
	}
	if _, err := dockercfg.ParseReference(image); err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrInvalidImage, image, err)
	}
	rt, scrub := s.runtime()
	if s.Push {
		defer s.watchByPush(ctx, rt)()
	}
	d := s.begin(rt, scrub, &Report{Service: s.Config.Name, Image: image})
	d.staged = staged
	defer d.end(ctx, &err)
	checked, err := step(ctx, d, StepPreflight, func() (dockercfg.Published, string, error) {
		auth, err := d.preflight(ctx, image)
		return auth, "", err
	})
	if err != nil {
		return d.report, err
	}
	lease, release, err := s.takeLock(ctx, rt, "deploy "+image)
	if err != nil {
		return d.report, fmt.Errorf("%s: %w", StepLock, err)
	}
	defer release()
	d.lease = lease

	auth, err := step(ctx, d, StepAuth, func() (dockercfg.Published, string, error) { return d.publish(ctx, image, checked) })
	if err != nil {
		return d.report, err
	}
	rel, err := step(ctx, d, StepBundle, func() (beanstalk.Release, string, error) { return d.bundle(image, auth) })
	if err != nil {
		return d.report, err
	}
	dep, err := step(ctx, d, StepDeploy, func() (*beanstalk.Deployment, string, error) { return d.launch(ctx, rel) })
	if err != nil {
		return d.report, err
	}
	passed, err := step(ctx, d, StepAcceptance, func() (acceptance.Passed, string, error) { return d.accept(ctx, dep) })
	if err != nil {
		return d.report, err
	}
	if staged {
		_, err := step(ctx, d, StepStage, func() (bool, string, error) { return d.stage(ctx, dep, passed) })
		return d.report, err
	}
	if _, err := step(ctx, d, StepSwap, func() (*swap.Result, string, error) { return d.goLive(ctx, dep, passed) }); err != nil {
		return d.report, err
	}
	_, _ = step(ctx, d, StepCapacity, func() (bool, string, error) { return d.restoreCapacity(ctx, dep) })
	_, _ = step(ctx, d, StepPrune, func() (*beanstalk.PruneResult, string, error) { return d.prune(ctx) })
	return d.report, nil
}

// finish records a failure's diagnostics and scrubs secrets from what
// leaves the run.
func (d *deploy) finish(err *error) {
	if diag := beanstalk.DiagnosticsOf(*err); diag != nil {
		d.report.Diagnostics = diag
	}
	d.report.Diagnostics.Scrub(d.scrub.String)
	*err, d.report.Left = d.scrub.Error(*err), d.scrub.String(d.report.Left)
}

// step runs one named step: it renews the lease, reports the step's start
// and end, and names the step in its error.
func step[T any](ctx context.Context, d *deploy, name string, run func() (T, string, error)) (T, error) {
	var zero T
	if d.lease != nil {
		if err := d.lease.Renew(ctx); err != nil {
			return zero, fmt.Errorf("%s: %w", StepLock, err)
		}
	}
	t0 := d.rt.Clock.Now()
	d.rt.Observer.Emit(progress.StepStarted{At: t0, Step: name})
	out, skipped, err := run()
	now := d.rt.Clock.Now()
	d.rt.Observer.Emit(progress.StepFinished{At: now, Step: name, Took: now.Sub(t0), Err: err, Skipped: skipped})
	if err != nil {
		d.rt.Log().Error("step failed", "step", name, "err", err)
		return out, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// outcome summarises the deploy for subscribers.
func (d *deploy) outcome(start time.Time, err error) notify.Outcome {
	r := d.report
	op := notify.OpDeploy
	if d.staged {
		op = notify.OpStage
	}
	if d.promote {
		op = notify.OpPromote
	}
	o := notify.Outcome{
		Operation: op, Service: r.Service, Application: d.spec.Application,
		Version: r.Version, Image: r.Image, Result: outcomeResult(err), Error: errText(err),
		Live: r.Live, LiveCNAME: r.LiveCNAME, Started: start, Duration: r.Took,
	}
	var se *swap.Error
	switch {
	case errors.As(err, &se) && se.SwappedBack:
		o.Result = notify.SwappedBack
	case err == nil && r.Deployment != nil && r.Deployment.AlreadyLive && !r.Deployment.Unverified:
		o.Result = notify.Unchanged
	}
	if r.Deployment != nil {
		o.Environment = r.Deployment.Name()
	}
	if r.Swap != nil {
		o.Previous = r.Swap.Previous
	}
	if r.Pruned != nil {
		o.Terminated, o.Deleted = r.Pruned.Terminated, r.Pruned.Deleted
	}
	if r.Diagnostics != nil {
		o.Diagnostics = r.Diagnostics.String()
	}
	return o
}

// Summary renders the outcome of a deploy for people: what is live, what
// was kept, and on failure why and what was left behind.
func (r *Report) Summary(err error) string {
	if r == nil {
		return fmt.Sprintf("FAILED: %v\n", err)
	}
	var b strings.Builder
	live := func() {
		switch {
		case r.Live != "":
			fmt.Fprintf(&b, "  live:     %s%s\n", r.Live, parens(r.LiveCNAME))
		case err != nil && r.Swap != nil:
			b.WriteString("  live:     unknown: run status\n")
		}
	}
	if err != nil {
		fmt.Fprintf(&b, "FAILED after %s: %v\n", progress.Round(r.Took), err)
		live()
		if r.Left != "" {
			fmt.Fprintf(&b, "  left:     %s\n", r.Left)
		}
		if r.Diagnostics != nil {
			b.WriteString(r.Diagnostics.String())
		}
		return b.String()
	}
	if r.Staged != "" {
		fmt.Fprintf(&b, "staged %s %s in %s\n", r.Service, r.Version, progress.Round(r.Took))
		fmt.Fprintf(&b, "  staged:   %s on %s (accepted; promote it to go live)\n", r.Staged, r.StagedURL)
		live()
		return b.String()
	}
	verb := "deployed"
	if r.Promoted {
		verb = "promoted"
	}
	fmt.Fprintf(&b, "%s %s %s in %s\n", verb, r.Service, r.Version, progress.Round(r.Took))
	live()
	if r.Swap != nil {
		fmt.Fprintf(&b, "  previous: %s (kept for rollback)\n", r.Swap.Previous)
	}
	return b.String()
}

func parens(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}
