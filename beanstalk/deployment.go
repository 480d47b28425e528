package beanstalk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/acceptance"
)

// StepAccept names the acceptance step in progress events.
const StepAccept = "acceptance"

// Deployment says what Deploy did, and tests what it launched.
type Deployment struct {
	Application string
	Label       string
	Platform    Platform
	// Environment is the new environment, healthy (or the live one when
	// AlreadyLive).
	Environment types.EnvironmentDescription
	// Live is the live environment found before the deploy.
	Live Live
	// Previous is the environment that was live before Live, the one a
	// failed verification of an Unverified deployment swaps back to; nil
	// when there is none.
	Previous *Member
	// FirstDeploy: there was no live environment, and the new one took
	// the live CNAME itself (nothing to swap).
	FirstDeploy bool
	// AlreadyLive: the live environment already runs this version.
	AlreadyLive bool
	// Unverified: the environment holds the live CNAME, but no run
	// finished verifying it there (one was interrupted). It must pass its
	// checks again: Accept when FirstDeploy, else a swap from Previous,
	// which verifies and swaps back on failure.
	Unverified bool
	// VersionReused: the application version existed already.
	VersionReused bool
	// Adopted: the environment was created by an earlier run, and this one
	// waited for it instead of creating another.
	Adopted bool
	// Capacity is the new environment's minimum size, when it was matched
	// to the live one's; RestoreCapacity lowers a raised one once live.
	Capacity *Capacity

	deployer Deployer
	spec     Spec
	since    time.Time // when Deploy began: events from then on
}

// Name returns the new environment's name.
func (d *Deployment) Name() string { return aws.ToString(d.Environment.EnvironmentName) }

// CNAME returns the new environment's CNAME.
func (d *Deployment) CNAME() string { return aws.ToString(d.Environment.CNAME) }

// Target is where acceptance tests reach the new environment: its own
// CNAME, over HTTPS when it has a certificate.
func (d *Deployment) Target() acceptance.Target {
	scheme := "http://"
	if d.spec.Environment.CertificateARN != "" {
		scheme = "https://"
	}
	return acceptance.Target{URL: scheme + d.CNAME(), Environment: d.Name(), Version: d.Label}
}

// Accept runs the acceptance checks against the new environment. A
// failure is handled as a failed launch is (the spec's OnFailure), except
// for an environment an earlier run left on the live CNAME, which is
// left as it is; the error is then a *DeployError. When an environment on
// the live CNAME (a first deploy) passes, it is marked live
// (TagWentLive): pruning keeps it.
// The proof it returns lets a swap skip running the checks again.
func (d *Deployment) Accept(ctx context.Context, c acceptance.Checker) (acceptance.Passed, error) {
	if d == nil || d.deployer.EB == nil {
		return acceptance.Passed{}, fmt.Errorf("beanstalk: Accept needs a Deployment returned by Deployer.Deploy: %w", ErrMissingClient)
	}
	dp, t := d.deployer, d.Target()
	dp.Info(StepAccept, "testing "+t.URL)
	passed, err := acceptance.Run(ctx, c, t)
	if err == nil {
		if d.FirstDeploy || d.Unverified { // it holds the live CNAME: verified there now
			if err := dp.MonitorFor(dp.EB).MarkLive(ctx, dp.EB, d.Application, d.Environment, dp.Clocked().Now(), WaitOptions{Observer: dp.Observer}); err != nil {
				dp.Warn(StepAccept, err.Error())
			}
		}
		return passed, nil
	}
	diag := dp.diagnose(ctx, d, d.Name())
	left := fmt.Sprintf("environment %s, which holds the live CNAME: left as it is", d.Name())
	if !d.Unverified && !d.AlreadyLive {
		left = dp.cleanUp(ctx, d.spec, d.Name())
	}
	return passed, &DeployError{Environment: d.Name(), Left: left, Err: err, FirstDeploy: d.FirstDeploy, Diagnostics: diag}
}

// Diagnose gathers why the new environment misbehaves: its events since
// the deploy began, health causes, and the end of its logs. Call it
// before Reject after a failed verification: a terminated environment
// has no logs left.
func (d *Deployment) Diagnose(ctx context.Context) *Diagnostics {
	if d == nil || d.deployer.EB == nil {
		return nil
	}
	return d.deployer.diagnose(ctx, d, d.Name())
}

// DeployError reports a failed deploy and what it left on AWS.
type DeployError struct {
	// Environment is the new environment, "" if none was created.
	Environment string
	// Left says what remains: "nothing", "environment X terminated",
	// "environment X kept (on_failure: keep)", …
	Left string
	// FirstDeploy: no traffic was live before this deploy.
	FirstDeploy bool
	Err         error
	// Diagnostics say why the environment failed, gathered before the
	// failure policy applied; nil when there was none to diagnose.
	Diagnostics *Diagnostics
}

func (e *DeployError) Error() string {
	msg := e.Err.Error()
	if d := e.Diagnostics; d != nil && d.Explanation != "" && !strings.Contains(msg, d.Explanation) {
		msg += "; why: " + d.Explanation
	}
	switch {
	case e.Environment == "":
		return msg
	case e.FirstDeploy:
		return fmt.Sprintf("%s; left behind: %s; first deploy: no traffic was live before", msg, e.Left)
	}
	return fmt.Sprintf("%s; left behind: %s; live traffic untouched", msg, e.Left)
}

func (e *DeployError) Unwrap() error { return e.Err }

// Reject applies the failure policy (Spec.OnFailure) to the new
// environment after it failed its verification and live traffic was
// swapped back: it is terminated, or kept. It says what remains. An
// environment that holds the live CNAME is never terminated here.
func (d *Deployment) Reject(ctx context.Context) string {
	if d == nil || d.deployer.EB == nil {
		return ""
	}
	dp := d.deployer
	envs, err := dp.MonitorFor(dp.EB).Environments(ctx, d.Application)
	if err != nil {
		return fmt.Sprintf("environment %s (not terminated: %v)", d.Name(), err)
	}
	live, err := FindLive(ctx, envs, d.spec.Live, dp.Records)
	if err != nil || live.Name() == d.Name() {
		return fmt.Sprintf("environment %s, which may hold the live CNAME: left as it is", d.Name())
	}
	// It held the live CNAME until just now: resolvers may send it
	// traffic until the TTL has passed.
	if d.spec.OnFailure == TerminateFailed {
		if e, err := Newest(envs, d.Name()); err == nil {
			// DateUpdated comes to the millisecond: a second more, to be sure.
			if wait := aws.ToTime(e.DateUpdated).Add(d.spec.DNSGrace + time.Second).Sub(dp.Clocked().Now()); wait > 0 {
				dp.Info(StepDeploy, fmt.Sprintf("%s held the live CNAME until %s ago: waiting %s for DNS caches before terminating it",
					d.Name(), (d.spec.DNSGrace-wait).Round(time.Second), wait.Round(time.Second)))
				if err := dp.Clocked().Sleep(ctx, wait); err != nil {
					return fmt.Sprintf("environment %s as it was when the deploy was cancelled (terminate it once DNS caches let go of it)", d.Name())
				}
			}
		}
	}
	return dp.cleanUp(ctx, d.spec, d.Name())
}
