package beanstalk

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// StepPrune names the prune step in progress events.
const StepPrune = "prune"

// PruneAPI is what Prune calls besides polling.
type PruneAPI interface {
	MonitorAPI
	TagsAPI
	VersionsAPI
	ConfigurationAPI
	TerminateEnvironment(ctx context.Context, in *eb.TerminateEnvironmentInput, optFns ...func(*eb.Options)) (*eb.TerminateEnvironmentOutput, error)
	DeleteApplicationVersion(ctx context.Context, in *eb.DeleteApplicationVersionInput, optFns ...func(*eb.Options)) (*eb.DeleteApplicationVersionOutput, error)
}

// Pruner retires what a service no longer needs: environments beyond the
// ones kept for rollback, candidates failed or interrupted deploys left,
// and old application versions (Beanstalk allows 1,000 per region). It
// never terminates the live environment nor the ones its Retention keeps,
// whatever plan it is handed: Apply carries out only what a fresh plan
// also decides. Set EB; a Pruner is not modified by its methods.
type Pruner struct {
	EB PruneAPI
	// Records reads the live host's Route53 record when Spec.Live names a
	// zone; nil finds the live environment by its CNAME prefix only.
	Records RecordsAPI
	Runtime
}

// PruneOptions shape a plan.
type PruneOptions struct {
	// Exclusive: the caller holds the deploy lock, so no deploy is in
	// progress and a settled (Ready) candidate that never went live is
	// abandoned whatever its age. A launching or updating one is still
	// only pruned once older than Retention.AbandonedAfter.
	Exclusive bool
	// VersionsOnly leaves environments alone (the version quota case).
	VersionsOnly bool
	// MakeRoom deletes at least this many unused versions, oldest first,
	// even among the newest kept: room under the version quota.
	MakeRoom int
}

// Decision is one planned action or refusal, with its reason.
type Decision struct {
	Name   string // environment name or version label
	Reason string
}

func (d Decision) String() string { return d.Name + ": " + d.Reason }

// PrunePlan is what Prune would do. Nothing in Keep is ever touched.
type PrunePlan struct {
	Application    string
	Terminate      []Decision
	Keep           []Decision
	DeleteVersions []Decision
	KeepVersions   []Decision
	// bundles of the versions to delete, for the report.
	bundles map[string]string
	// options the plan was made with, to check it again before acting.
	options PruneOptions
}

// Empty reports whether the plan does nothing.
func (p *PrunePlan) Empty() bool { return len(p.Terminate) == 0 && len(p.DeleteVersions) == 0 }

// String renders the plan for people.
func (p *PrunePlan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "prune plan for application %s\n", p.Application)
	section := func(title string, ds []Decision) {
		if len(ds) == 0 {
			return
		}
		fmt.Fprintf(&b, "  %s:\n", title)
		for _, d := range ds {
			fmt.Fprintf(&b, "    %s\n", d)
		}
	}
	section("terminate", p.Terminate)
	section("keep", p.Keep)
	section("delete versions", p.DeleteVersions)
	if n := len(p.KeepVersions); n > 0 {
		fmt.Fprintf(&b, "  keep %d versions (deployed, or among the newest kept)\n", n)
	}
	if p.Empty() {
		b.WriteString("  nothing to prune\n")
	}
	return b.String()
}

// PruneResult is what Prune did.
type PruneResult struct {
	// Plan is what was decided.
	Plan       *PrunePlan
	Terminated []string
	Deleted    []string
	// Skipped lists what could not be done now, with why (busy, in use,
	// no longer decided by a fresh plan).
	Skipped []Decision
}

func (p Pruner) check(spec Spec) error {
	if p.EB == nil {
		return fmt.Errorf("beanstalk: Pruner.EB is nil: %w", ErrMissingClient)
	}
	return spec.Validate()
}

// Prune plans under spec's retention and carries the plan out: it
// terminates the environments and waits for them, then deletes the
// versions with their bundles. What Beanstalk refuses for now (an
// operation in progress, a version in use) is skipped and reported, not
// failed.
func (p Pruner) Prune(ctx context.Context, spec Spec, o PruneOptions) (*PruneResult, error) {
	if err := p.check(spec); err != nil {
		return nil, err
	}
	spec = spec.withDefaults()
	p.Monitor = p.MonitorFor(p.EB)
	plan, err := p.plan(ctx, spec, o)
	if err != nil {
		return nil, err
	}
	return p.apply(ctx, spec, plan)
}

// Apply carries out a plan made earlier (a dry run a person read), but
// only what a fresh plan with the same options decides too: whatever the
// plan says, the live environment and the ones kept for rollback stay.
// What the fresh plan no longer decides is reported in Skipped.
func (p Pruner) Apply(ctx context.Context, spec Spec, plan *PrunePlan) (*PruneResult, error) {
	if err := p.check(spec); err != nil {
		return nil, err
	}
	if plan == nil {
		return nil, fmt.Errorf("%w: Apply needs a plan", ErrInvalidSpec)
	}
	spec = spec.withDefaults()
	p.Monitor = p.MonitorFor(p.EB)
	fresh, err := p.plan(ctx, spec, plan.options)
	if err != nil {
		return nil, err
	}
	agreed, refused := agree(plan, fresh)
	res, err := p.apply(ctx, spec, agreed)
	if res != nil {
		res.Skipped = append(refused, res.Skipped...)
	}
	return res, err
}

// agree keeps of plan what fresh decides too, and says why the rest goes.
func agree(plan, fresh *PrunePlan) (*PrunePlan, []Decision) {
	out := &PrunePlan{Application: fresh.Application, Keep: fresh.Keep, KeepVersions: fresh.KeepVersions, bundles: fresh.bundles, options: fresh.options}
	var refused []Decision
	why := map[string]string{}
	for _, d := range append(fresh.Keep, fresh.KeepVersions...) {
		why[d.Name] = d.Reason
	}
	pick := func(wanted, decided []Decision) []Decision {
		var keep []Decision
		for _, w := range wanted {
			i := slices.IndexFunc(decided, func(d Decision) bool { return d.Name == w.Name })
			switch {
			case i >= 0:
				keep = append(keep, decided[i])
			case why[w.Name] != "":
				refused = append(refused, Decision{w.Name, "kept: " + why[w.Name]})
			default:
				refused = append(refused, Decision{w.Name, "not decided by a fresh plan (gone, or changed since)"})
			}
		}
		return keep
	}
	out.Terminate = pick(plan.Terminate, fresh.Terminate)
	out.DeleteVersions = pick(plan.DeleteVersions, fresh.DeleteVersions)
	return out, refused
}

// Plan decides, changing nothing, what Prune would do under spec's
// Retention: keep the live environment and KeepPrevious previous ones;
// never touch an environment beanswap did not create (unless
// PruneUnmanaged), nor a busy one; terminate candidates that never went
// live once they are abandoned; delete the versions no environment runs
// beyond the newest KeepVersions.
func (p Pruner) Plan(ctx context.Context, spec Spec, o PruneOptions) (*PrunePlan, error) {
	if err := p.check(spec); err != nil {
		return nil, err
	}
	p.Monitor = p.MonitorFor(p.EB)
	return p.plan(ctx, spec.withDefaults(), o)
}

func (p Pruner) plan(ctx context.Context, spec Spec, o PruneOptions) (*PrunePlan, error) {
	m := p.Monitor
	plan := &PrunePlan{Application: spec.Application, bundles: map[string]string{}, options: o}
	// The live environment is kept whatever its tags say; they are read
	// only to judge staged environments against it.
	inv, err := m.inventory(ctx, p.EB, spec.Service, spec.Application, spec.Live, p.Records)
	if err == nil && len(inv.Staged) > 0 {
		err = m.liveTags(ctx, p.EB, spec.Service, inv)
	}
	if err != nil {
		return nil, fmt.Errorf("prune: %w", err)
	}
	ret := spec.Retention
	now := m.clock.Now()
	// recent: it changed (a swap moved its CNAME) too recently for DNS
	// caches to have let go of it.
	recent := func(mem Member) (bool, time.Duration) {
		age := now.Sub(aws.ToTime(mem.Environment.DateUpdated))
		return age < spec.DNSGrace, age
	}
	keep := func(mem Member, why string) { plan.Keep = append(plan.Keep, Decision{mem.Name(), why}) }
	kill := func(mem Member, why string) {
		if r, age := recent(mem); r {
			keep(mem, fmt.Sprintf("would go (%s), but it changed %s ago: DNS caches may still send it traffic (TTL and margin %s)", why, age.Round(time.Second), spec.DNSGrace))
			return
		}
		plan.Terminate = append(plan.Terminate, Decision{mem.Name(), why})
	}
	busy := func(mem Member) bool {
		s := mem.Environment.Status
		return s == types.EnvironmentStatusLaunching || s == types.EnvironmentStatusUpdating
	}

	if inv.Live != nil {
		keep(*inv.Live, "live")
	}
	if !o.VersionsOnly {
		previous := inv.Previous
		if ret.PruneUnmanaged {
			for _, mem := range inv.Unmanaged {
				mem.WentLive = aws.ToTime(mem.Environment.DateUpdated)
				previous = append(previous, mem)
			}
			sort.SliceStable(previous, func(i, j int) bool { return previous[i].WentLive.After(previous[j].WentLive) })
		} else {
			for _, mem := range inv.Unmanaged {
				keep(mem, "not created by beanswap (set prune_unmanaged to allow)")
			}
		}
		if inv.Live == nil {
			// Without a live environment to tell, one that went live may
			// be it (a misconfigured prefix or host): none is terminated.
			for _, mem := range previous {
				keep(mem, fmt.Sprintf("went live, and the live environment is unknown (%s): it may be this one", inv.LiveHow))
			}
			previous = nil
		}
		kept := 0
		for _, mem := range previous {
			switch {
			case busy(mem):
				keep(mem, fmt.Sprintf("%s: busy", mem.Environment.Status))
			case kept < ret.Previous():
				kept++
				keep(mem, fmt.Sprintf("previous live environment kept for rollback (%d of keep_environments %d)", kept, ret.Previous()))
			default:
				kill(mem, fmt.Sprintf("was live until replaced; beyond keep_environments %d", ret.Previous()))
			}
		}
		for i, mem := range inv.Staged {
			switch {
			case i == 0 && (inv.Live == nil || mem.Accepted.After(inv.Live.WentLive)):
				keep(mem, fmt.Sprintf("staged: accepted %s, waiting to be promoted", mem.Accepted.UTC().Format(time.RFC3339)))
			case i > 0:
				kill(mem, fmt.Sprintf("staged, superseded by %s, staged since", inv.Staged[0].Name()))
			default:
				kill(mem, fmt.Sprintf("staged, superseded by %s, live since", inv.Live.Name()))
			}
		}
		for _, mem := range inv.Candidates {
			age := now.Sub(aws.ToTime(mem.Environment.DateCreated))
			abandoned := age >= ret.AbandonedAfter
			switch {
			case busy(mem) && !abandoned:
				keep(mem, fmt.Sprintf("candidate %s, %s old: may belong to a deploy in progress (pruned once older than abandoned_after %s)", mem.Environment.Status, age.Round(time.Minute), ret.AbandonedAfter))
			case busy(mem):
				kill(mem, fmt.Sprintf("never went live and still %s after %s: abandoned (abandoned_after %s)", mem.Environment.Status, age.Round(time.Minute), ret.AbandonedAfter))
			case o.Exclusive:
				kill(mem, fmt.Sprintf("never went live: left by a failed or interrupted deploy (%s, %s)", mem.Environment.Status, mem.Environment.Health))
			case abandoned:
				kill(mem, fmt.Sprintf("never went live and is %s old: abandoned (abandoned_after %s)", age.Round(time.Minute), ret.AbandonedAfter))
			default:
				keep(mem, fmt.Sprintf("candidate %s old, %s: may belong to a deploy in progress", age.Round(time.Minute), mem.Environment.Status))
			}
		}
	}
	if err := p.spareDatabases(ctx, spec, plan); err != nil {
		return nil, err
	}
	if err := p.planVersions(ctx, spec, plan, inv, o.MakeRoom); err != nil {
		return nil, err
	}
	return plan, nil
}

// spareDatabases keeps the environments whose coupled database their
// termination would delete (any deletion policy but Retain).
func (p Pruner) spareDatabases(ctx context.Context, spec Spec, plan *PrunePlan) error {
	var terminate []Decision
	for _, d := range plan.Terminate {
		coupled, policy, err := p.Monitor.database(ctx, p.EB, spec.Application, d.Name)
		if err != nil {
			return fmt.Errorf("prune: %w", err)
		}
		if coupled && !strings.EqualFold(policy, "Retain") {
			plan.Keep = append(plan.Keep, Decision{d.Name, fmt.Sprintf("would go (%s), but terminating it would delete its coupled database (DBDeletionPolicy %s): decouple or retain it first", d.Reason, policy)})
			continue
		}
		terminate = append(terminate, d)
	}
	plan.Terminate = terminate
	return nil
}

// apply carries out plan, which p.plan made just now.
func (p Pruner) apply(ctx context.Context, spec Spec, plan *PrunePlan) (*PruneResult, error) {
	m := p.Monitor
	res := &PruneResult{Plan: plan}
	var started []string
	for _, d := range plan.Terminate {
		_, err := p.EB.TerminateEnvironment(ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String(d.Name)})
		switch {
		case isNotReady(err):
			res.Skipped = append(res.Skipped, Decision{d.Name, "busy; try again later"})
		case isNoSuchEnvironment(err):
			res.Skipped = append(res.Skipped, Decision{d.Name, "already gone"})
		case err != nil:
			return res, fmt.Errorf("prune: terminate %s: %w", d.Name, translate(err))
		default:
			p.Info(StepPrune, fmt.Sprintf("terminating %s (%s)", d.Name, d.Reason))
			started = append(started, d.Name)
		}
	}
	if len(started) > 0 {
		gone := func(envs map[string]types.EnvironmentDescription) (bool, error) {
			for _, n := range started {
				if e, ok := envs[n]; ok && e.Status != types.EnvironmentStatusTerminated {
					return false, nil
				}
			}
			return true, nil
		}
		if _, err := m.Wait(ctx, plan.Application, started, "to terminate", gone, WaitOptions{Timeout: spec.Timeouts.Terminate, Observer: p.Observer, IgnoreErrorEvents: true}); err != nil {
			return res, fmt.Errorf("prune: %w", err)
		}
		res.Terminated = started
		p.Info(StepPrune, fmt.Sprintf("terminated %s", strings.Join(started, ", ")))
	}
	for _, d := range plan.DeleteVersions {
		_, err := p.EB.DeleteApplicationVersion(ctx, &eb.DeleteApplicationVersionInput{
			ApplicationName: aws.String(plan.Application), VersionLabel: aws.String(d.Name), DeleteSourceBundle: aws.Bool(true),
		})
		code, msg := apiError(err)
		switch {
		case err == nil:
			res.Deleted = append(res.Deleted, d.Name)
			p.Info(StepPrune, fmt.Sprintf("deleted version %s and its bundle %s", d.Name, plan.bundles[d.Name]))
		case code == "OperationInProgressFailure":
			res.Skipped = append(res.Skipped, Decision{d.Name, "an operation on it is in progress; try again later"})
		case code == "SourceBundleDeletionFailure":
			res.Skipped = append(res.Skipped, Decision{d.Name, "its bundle could not be deleted: " + msg})
		case code == "InvalidParameterValue" && strings.Contains(msg, "being used"):
			res.Skipped = append(res.Skipped, Decision{d.Name, "deployed meanwhile"})
		case code == "InvalidParameterValue" && strings.Contains(msg, "No Application Version"):
			res.Skipped = append(res.Skipped, Decision{d.Name, "already gone"})
		default:
			return res, fmt.Errorf("prune: delete version %s: %w", d.Name, err)
		}
	}
	for _, s := range res.Skipped {
		p.Warn(StepPrune, "skipped "+s.String())
	}
	return res, nil
}
