package beanstalktest

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// The lifecycle, step by step, with the events Elastic Beanstalk emits.
// Steps are scheduled on the simulation clock and applied lazily.

const (
	msgCreateFailed = "Create environment operation is complete, but with errors. For more information, see troubleshooting documentation."
	msgUpdateFailed = "Update environment operation is complete, but with errors. For more information, see troubleshooting documentation."
	degradedCause   = "100.0 % of the requests are failing with HTTP 5xx."
)

func frac(d time.Duration, f float64) time.Duration { return time.Duration(float64(d) * f) }

// jittered is d, the duration of operation op on e, randomised by
// Timing.Jitter: the same for the same seed, environment name, operation
// and occurrence whatever else the simulator does, so that a service
// deployed alone takes the time it takes in a fleet.
func (st *state) jittered(e *environment, op string, d time.Duration) time.Duration {
	j := st.timing.Jitter
	if j <= 0 {
		return d
	}
	key := e.name + "\x00" + op
	if st.jitterSeen == nil {
		st.jitterSeen = map[string]int{}
	}
	st.jitterSeen[key]++
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s\x00%d", st.seed, key, st.jitterSeen[key])
	u := float64(h.Sum64()>>11) / (1 << 53)
	return frac(d, 1+j*(2*u-1))
}

// launch schedules a new environment's way to Ready and to health.
func (st *state) launch(c call, e *environment) {
	L := e.outcome.LaunchDuration
	if L == 0 {
		L = st.timing.Launch
	}
	L = st.jittered(e, "launch", L)
	id := strings.TrimPrefix(e.id, "e-")
	st.emit(c.now, e, types.EventSeverityInfo, "createEnvironment is starting.")
	st.at(c.now.Add(2*time.Second), e, func(at time.Time) {
		st.emit(at, e, types.EventSeverityInfo, "Using elasticbeanstalk-%s-%s as Amazon S3 storage bucket for environment data.", st.region, st.account)
	})
	st.at(c.now.Add(frac(L, 0.1)), e, func(at time.Time) {
		st.emit(at, e, types.EventSeverityInfo, "Created security group named: awseb-e-%s-stack-AWSEBSecurityGroup-%s", id, strings.ToUpper(st.randomID(12)))
	})
	st.at(c.now.Add(frac(L, 0.3)), e, func(at time.Time) {
		if e.singleInstance {
			st.emit(at, e, types.EventSeverityInfo, "Created EIP: %s", e.endpoint)
		} else {
			st.emit(at, e, types.EventSeverityInfo, "Created load balancer named: %s", strings.SplitN(e.endpoint, ".", 2)[0])
		}
	})
	st.at(c.now.Add(frac(L, 0.5)), e, func(at time.Time) {
		e.asg = fmt.Sprintf("awseb-e-%s-stack-AWSEBAutoScalingGroup-%s", id, strings.ToUpper(st.randomID(12)))
		st.emit(at, e, types.EventSeverityInfo, "Created Auto Scaling group named: %s", e.asg)
	})
	st.at(c.now.Add(frac(L, 0.6)), e, func(at time.Time) {
		st.emit(at, e, types.EventSeverityInfo, "Waiting for EC2 instances to launch. This may take a few minutes.")
		st.scaleTo(at, e, 0) // the group starts at MinSize
		e.engineLog(at, "INFO", "Starting...")
		e.engineLog(at, "INFO", "Starting EBPlatform-PlatformEngine")
		e.engineLog(at, "INFO", "Executing instruction: PreBuildEbExtension")
		e.engineLog(at, "INFO", "Executing instruction: StageApplication")
		e.engineLog(at, "INFO", "Executing instruction: Docker Specific Build Application")
	})
	st.at(c.now.Add(frac(L, 0.85)), e, func(at time.Time) {
		reason := st.failureReason(e.outcome, e, e.version)
		if p, _ := optionValue(e.options, nsLaunch, "IamInstanceProfile"); reason == "" && st.requireProfile && !st.hasProfile(p) {
			reason = fmt.Sprintf("The instance profile %s associated with the environment does not exist.", p)
		}
		if reason != "" {
			e.outcome.FailLaunch, e.outcome.FailureReason = true, reason
			e.engineLog(at, "ERROR", "An error occurred during execution of command [app-deploy] - [Docker Specific Build Application]. Stop running the command. Error: %s", reason)
			e.engineLog(at, "INFO", "Executing cleanup logic")
			st.emit(at, e, types.EventSeverityError, "%s", reason)
			st.emit(at, e, types.EventSeverityError, "[Instance: i-0%s] Command failed on instance. Return code: 1 Output: Engine execution has encountered an error.", st.randomID(16))
			return
		}
		e.engineLog(at, "INFO", "Executing instruction: Run Docker Container")
		e.engineLog(at, "INFO", "Executing instruction: RunAppDeployPostDeployHooks")
		e.engineLog(at, "INFO", "Instance deployment completed successfully.")
		st.emit(at, e, types.EventSeverityInfo, "Instance deployment completed successfully.")
	})
	st.at(c.now.Add(L), e, func(at time.Time) {
		e.status, e.updated = types.EnvironmentStatusReady, at
		if e.outcome.FailLaunch {
			st.emit(at, e, types.EventSeverityError, msgCreateFailed)
			st.setHealth(at, e, types.EnvironmentHealthRed, types.EnvironmentHealthStatusSevere, e.outcome.FailureReason)
			return
		}
		st.emit(at, e, types.EventSeverityInfo, "Successfully launched environment: %s", e.name)
		switch e.outcome.ReadyHealth {
		case types.EnvironmentHealthYellow:
			st.setHealth(at, e, types.EnvironmentHealthYellow, types.EnvironmentHealthStatusWarning, "Initialization in progress: 1 of 1 instances failing health checks.")
		case types.EnvironmentHealthRed:
			st.setHealth(at, e, types.EnvironmentHealthRed, types.EnvironmentHealthStatusSevere, "100.0 % of the requests are failing with HTTP 5xx.")
		}
		st.scheduleHealthy(at, e, L)
	})
}

// scheduleHealthy turns a Ready environment Green after its health delay.
func (st *state) scheduleHealthy(readyAt time.Time, e *environment, took time.Duration) {
	if e.outcome.NeverHealthy {
		return
	}
	h := e.outcome.HealthyAfter
	if h == 0 {
		h = st.timing.Health
	}
	h = st.jittered(e, "health", h)
	st.at(readyAt.Add(h), e, func(at time.Time) {
		st.setHealth(at, e, types.EnvironmentHealthGreen, types.EnvironmentHealthStatusOk, "")
		if e.enhanced {
			st.emit(at, e, types.EventSeverityInfo, "Environment health has transitioned from Pending to Ok. Initialization completed %d seconds ago and took %d minutes.", int(h.Seconds()), int(took.Minutes()))
		}
	})
}

// setHealth changes health, with the event enhanced health emits for a
// change for the worse.
func (st *state) setHealth(at time.Time, e *environment, colour types.EnvironmentHealth, status types.EnvironmentHealthStatus, cause string) {
	prev := e.healthStatus
	e.health, e.healthStatus = colour, status
	e.causes = nil
	if cause != "" {
		e.causes = []string{cause}
	}
	if status == types.EnvironmentHealthStatusSevere || status == types.EnvironmentHealthStatusDegraded {
		sev := types.EventSeverityWarn
		msg := fmt.Sprintf("Environment health has transitioned from %s to %s.", prev, status)
		if cause != "" {
			msg += " " + cause
		}
		if !e.enhanced {
			msg = fmt.Sprintf("Environment health has been set to %s", strings.ToUpper(string(colour)))
		}
		st.emit(at, e, sev, "%s", msg)
	}
}

// failureReason is why a launch or deploy of version fails: the script
// says so, or the bundle is not something Beanstalk can run.
func (st *state) failureReason(o Outcome, e *environment, version string) string {
	app := e.app
	if o.FailLaunch {
		if o.FailureReason != "" {
			return o.FailureReason
		}
		return "Instance deployment failed. For details, see 'eb-engine.log'."
	}
	if version == "" {
		return ""
	}
	a, ok := st.apps[app]
	if !ok || a.versions[version] == nil {
		return "Application version " + version + " no longer exists."
	}
	return st.inspectBundle(a.versions[version], e)
}

func (st *state) startUpdate(c call, e *environment, version string) {
	e.status, e.updated = types.EnvironmentStatusUpdating, c.now
	st.emit(c.now, e, types.EventSeverityInfo, "Environment update is starting.")
	if version != "" {
		st.emit(c.now, e, types.EventSeverityInfo, "Deploying new version to instance(s).")
	}
	st.at(c.now.Add(st.jittered(e, "update", st.timing.Update)), e, func(at time.Time) {
		st.scaleTo(at, e, len(e.instances)) // new bounds apply
		e.status, e.updated = types.EnvironmentStatusReady, at
		if version != "" {
			e.engineLog(at, "INFO", "Executing instruction: Docker Specific Build Application")
			if reason := st.failureReason(st.scripts.outcome(e.name, version), e, version); reason != "" {
				e.engineLog(at, "ERROR", "An error occurred during execution of command [app-deploy] - [Docker Specific Build Application]. Stop running the command. Error: %s", reason)
				st.emit(at, e, types.EventSeverityError, "%s", reason)
				st.emit(at, e, types.EventSeverityError, "Failed to deploy application.")
				st.emit(at, e, types.EventSeverityError, msgUpdateFailed)
				st.setHealth(at, e, types.EnvironmentHealthRed, types.EnvironmentHealthStatusSevere, reason)
				return
			}
			e.version = version
			e.outcome = st.scripts.outcome(e.name, version)
			e.degraded = false
		}
		st.emit(at, e, types.EventSeverityInfo, "Environment update completed successfully.")
	})
}

// startTagUpdate applies new tags to the environment's resources: an
// environment update, during which it is Updating.
func (st *state) startTagUpdate(c call, e *environment) {
	if st.timing.TagUpdate <= 0 {
		return
	}
	e.status, e.updated = types.EnvironmentStatusUpdating, c.now
	st.emit(c.now, e, types.EventSeverityInfo, "Environment update is starting.")
	st.emit(c.now, e, types.EventSeverityInfo, "Updating environment %s's configuration settings.", e.name)
	st.at(c.now.Add(st.jittered(e, "tags", st.timing.TagUpdate)), e, func(at time.Time) {
		e.status, e.updated = types.EnvironmentStatusReady, at
		st.emit(at, e, types.EventSeverityInfo, "Successfully deployed new configuration to environment.")
		st.emit(at, e, types.EventSeverityInfo, "Environment update completed successfully.")
	})
}

func (st *state) startSwap(c call, a, b *environment) {
	st.record(c.now, JournalSwapStart, a, b)
	for _, e := range []*environment{a, b} {
		e.status, e.updated = types.EnvironmentStatusUpdating, c.now
		st.emit(c.now, e, types.EventSeverityInfo, "swapEnvironmentCNAMEs is starting.")
	}
	done := c.now.Add(st.jittered(a, "swap", st.timing.Swap) + max(a.outcome.SwapDelay, b.outcome.SwapDelay))
	// One step swaps both, so no observer sees half a swap.
	st.at(done, a, func(at time.Time) {
		bBefore := b.state()
		a.cname, b.cname = b.cname, a.cname
		for _, e := range []*environment{a, b} {
			e.status, e.updated = types.EnvironmentStatusReady, at
		}
		st.noteChange(at, b, bBefore) // a's is noted as the step's
		st.record(at, JournalSwapDone, a, b)
		for _, e := range []*environment{a, b} {
			st.emit(at, e, types.EventSeverityInfo, "Completed swapping CNAMEs for environments '%s' and '%s'.", a.name, b.name)
		}
		for _, e := range []*environment{a, b} {
			if e.outcome.DegradeAfterSwap && !e.degraded {
				e := e
				st.at(at.Add(15*time.Second), e, func(at time.Time) {
					e.degraded = true
					st.setHealth(at, e, types.EnvironmentHealthRed, types.EnvironmentHealthStatusSevere, degradedCause)
				})
			}
		}
	})
}

func (st *state) startTermination(c call, e *environment) {
	st.record(c.now, JournalTerminate, e, nil)
	e.cancelSteps()
	e.status, e.updated = types.EnvironmentStatusTerminating, c.now
	id := strings.TrimPrefix(e.id, "e-")
	T := st.jittered(e, "terminate", st.timing.Terminate)
	st.emit(c.now, e, types.EventSeverityInfo, "terminateEnvironment is starting.")
	st.at(c.now.Add(frac(T, 0.3)), e, func(at time.Time) {
		name := e.asg
		if name == "" {
			name = fmt.Sprintf("awseb-e-%s-stack-AWSEBAutoScalingGroup-%s", id, strings.ToUpper(st.randomID(12)))
		}
		e.asg, e.instances = "", nil
		st.emit(at, e, types.EventSeverityInfo, "Deleted Auto Scaling group named: %s", name)
	})
	if !e.singleInstance {
		st.at(c.now.Add(frac(T, 0.6)), e, func(at time.Time) {
			st.emit(at, e, types.EventSeverityInfo, "Deleted load balancer named: %s", strings.SplitN(e.endpoint, ".", 2)[0])
		})
	}
	st.at(c.now.Add(T), e, func(at time.Time) {
		e.status, e.updated, e.terminatedAt = types.EnvironmentStatusTerminated, at, at
		e.health, e.healthStatus, e.causes = types.EnvironmentHealthGrey, types.EnvironmentHealthStatusSuspended, nil
		st.emit(at, e, types.EventSeverityInfo, "terminateEnvironment completed successfully.")
	})
}
