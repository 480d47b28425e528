package beanstalk

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/progress"
)

// StepPrune names the prune step in progress events.
const StepPrune = "prune"

// PruneAPI is what Prune calls besides polling.
type PruneAPI interface {
	MonitorAPI
	TagsAPI
	TerminateEnvironment(ctx context.Context, in *eb.TerminateEnvironmentInput, optFns ...func(*eb.Options)) (*eb.TerminateEnvironmentOutput, error)
	DescribeApplicationVersions(ctx context.Context, in *eb.DescribeApplicationVersionsInput, optFns ...func(*eb.Options)) (*eb.DescribeApplicationVersionsOutput, error)
	DeleteApplicationVersion(ctx context.Context, in *eb.DeleteApplicationVersionInput, optFns ...func(*eb.Options)) (*eb.DeleteApplicationVersionOutput, error)
}

// Pruner retires what a service no longer needs: environments beyond the
// ones kept for rollback, candidates failed or interrupted deploys left,
// and old application versions (Beanstalk allows 1,000 per region).
type Pruner struct {
	EB       PruneAPI
	Monitor  *Monitor
	Records  RecordsAPI
	Clock    clock.Clock
	Observer progress.Observer
	Logger   *slog.Logger
}

// PruneOptions shape a plan.
type PruneOptions struct {
	// Exclusive: the caller holds the deploy lock, so no deploy is in
	// progress and a settled (Ready) candidate that never went live is
	// abandoned whatever its age. A launching or updating one is still
	// only pruned once older than abandoned_after.
	Exclusive bool
	// VersionsOnly leaves environments alone (the version quota case).
	VersionsOnly bool
	// MakeRoom deletes at least this many unused versions, oldest first,
	// even among the newest keep_versions: room under the version quota.
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
	Terminated []string
	Deleted    []string
	// Skipped lists what could not be done now, with why (busy, in use).
	Skipped []Decision
}

func (p *Pruner) monitor() *Monitor {
	if p.Monitor == nil {
		p.Monitor = NewMonitor(p.EB, MonitorOptions{Clock: p.Clock})
	}
	return p.Monitor
}

func (p *Pruner) info(msg string) {
	p.Observer.Emit(progress.Info{At: p.monitor().clock.Now(), Step: StepPrune, Message: msg})
	if p.Logger != nil {
		p.Logger.Info(msg, "step", StepPrune)
	}
}

// Plan decides, changing nothing, what Prune would do under cfg's policy:
// keep the live environment and keep_environments previous ones; never
// touch an environment beanswap did not create (unless prune_unmanaged),
// nor a busy one; terminate candidates that never went live once they are
// abandoned; delete the versions no environment runs beyond the newest
// keep_versions.
func (p *Pruner) Plan(ctx context.Context, cfg *config.Config, o PruneOptions) (*PrunePlan, error) {
	m := p.monitor()
	plan := &PrunePlan{Application: cfg.Application, bundles: map[string]string{}}
	inv, err := m.Inventory(ctx, p.EB, cfg.Name, cfg.Application, LiveSpec{CNAMEPrefix: cfg.CNAMEPrefix, ZoneID: cfg.AWSZoneID, Host: cfg.LiveHost}, p.Records)
	if err != nil {
		return nil, fmt.Errorf("prune: %w", err)
	}
	now := m.clock.Now()
	keep := func(mem Member, why string) { plan.Keep = append(plan.Keep, Decision{mem.Name(), why}) }
	kill := func(mem Member, why string) { plan.Terminate = append(plan.Terminate, Decision{mem.Name(), why}) }
	busy := func(mem Member) bool {
		s := mem.Environment.Status
		return s == types.EnvironmentStatusLaunching || s == types.EnvironmentStatusUpdating
	}

	if inv.Live != nil {
		keep(*inv.Live, "live")
	}
	if !o.VersionsOnly {
		previous := inv.Previous
		if cfg.PruneUnmanaged {
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
		kept := 0
		for _, mem := range previous {
			switch {
			case busy(mem):
				keep(mem, fmt.Sprintf("%s: busy", mem.Environment.Status))
			case kept < cfg.KeepEnvironments:
				kept++
				keep(mem, fmt.Sprintf("previous live environment kept for rollback (%d of keep_environments %d)", kept, cfg.KeepEnvironments))
			default:
				kill(mem, fmt.Sprintf("was live until replaced; beyond keep_environments %d", cfg.KeepEnvironments))
			}
		}
		for _, mem := range inv.Candidates {
			age := now.Sub(aws.ToTime(mem.Environment.DateCreated))
			abandoned := age >= cfg.AbandonedAfter
			switch {
			case busy(mem) && !abandoned:
				keep(mem, fmt.Sprintf("candidate %s, %s old: may belong to a deploy in progress (pruned once older than abandoned_after %s)", mem.Environment.Status, age.Round(time.Minute), cfg.AbandonedAfter))
			case busy(mem):
				kill(mem, fmt.Sprintf("never went live and still %s after %s: abandoned (abandoned_after %s)", mem.Environment.Status, age.Round(time.Minute), cfg.AbandonedAfter))
			case o.Exclusive:
				kill(mem, fmt.Sprintf("never went live: left by a failed or interrupted deploy (%s, %s)", mem.Environment.Status, mem.Environment.Health))
			case abandoned:
				kill(mem, fmt.Sprintf("never went live and is %s old: abandoned (abandoned_after %s)", age.Round(time.Minute), cfg.AbandonedAfter))
			default:
				keep(mem, fmt.Sprintf("candidate %s old, %s: may belong to a deploy in progress", age.Round(time.Minute), mem.Environment.Status))
			}
		}
	}
	if err := p.planVersions(ctx, cfg, plan, inv, o.MakeRoom); err != nil {
		return nil, err
	}
	return plan, nil
}

func (p *Pruner) planVersions(ctx context.Context, cfg *config.Config, plan *PrunePlan, inv *Inventory, makeRoom int) error {
	inUse := map[string]string{}
	all := append([]Member{}, inv.Previous...)
	all = append(all, inv.Candidates...)
	all = append(all, inv.Unmanaged...)
	if inv.Live != nil {
		all = append(all, *inv.Live)
	}
	doomed := map[string]bool{}
	for _, d := range plan.Terminate {
		doomed[d.Name] = true // terminated before any version is deleted
	}
	for _, mem := range all {
		if !doomed[mem.Name()] {
			inUse[mem.Version] = mem.Name()
		}
	}
	in := &eb.DescribeApplicationVersionsInput{ApplicationName: aws.String(cfg.Application)}
	var versions []types.ApplicationVersionDescription
	for {
		out, err := p.EB.DescribeApplicationVersions(ctx, in)
		if err != nil {
			return fmt.Errorf("prune: describe versions of %s: %w", cfg.Application, err)
		}
		versions = append(versions, out.ApplicationVersions...)
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	sort.SliceStable(versions, func(i, j int) bool {
		return aws.ToTime(versions[i].DateCreated).After(aws.ToTime(versions[j].DateCreated))
	})
	var unused []types.ApplicationVersionDescription
	for _, v := range versions {
		label := aws.ToString(v.VersionLabel)
		if inUse[label] != "" {
			plan.KeepVersions = append(plan.KeepVersions, Decision{label, "deployed to " + inUse[label]})
			continue
		}
		unused = append(unused, v)
		if b := v.SourceBundle; b != nil {
			plan.bundles[label] = "s3://" + aws.ToString(b.S3Bucket) + "/" + aws.ToString(b.S3Key)
		}
	}
	// Unused versions, newest first: keep keep_versions of them, unless
	// the quota needs room.
	keep := min(cfg.KeepVersions, max(0, len(unused)-makeRoom))
	var deletions []Decision
	for i, v := range unused {
		label := aws.ToString(v.VersionLabel)
		switch {
		case i < keep:
			plan.KeepVersions = append(plan.KeepVersions, Decision{label, "among the newest keep_versions"})
		case i < cfg.KeepVersions:
			deletions = append(deletions, Decision{label, "unused; deleted to make room under the version quota"})
		default:
			deletions = append(deletions, Decision{label, "unused, older than the newest " + fmt.Sprint(cfg.KeepVersions)})
		}
	}
	// Oldest first: if the run stops halfway, the newest remain.
	for i := len(deletions) - 1; i >= 0; i-- {
		plan.DeleteVersions = append(plan.DeleteVersions, deletions[i])
	}
	return nil
}

// Prune carries out plan: it terminates the environments and waits for
// them, then deletes the versions with their bundles. What Beanstalk
// refuses for now (an operation in progress, a version in use) is skipped
// and reported, not failed.
func (p *Pruner) Prune(ctx context.Context, cfg *config.Config, plan *PrunePlan) (*PruneResult, error) {
	m := p.monitor()
	res := &PruneResult{}
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
			p.info(fmt.Sprintf("terminating %s (%s)", d.Name, d.Reason))
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
		if _, err := m.Wait(ctx, plan.Application, started, "to terminate", gone, WaitOptions{Timeout: cfg.Timeouts.Terminate, Observer: p.Observer, IgnoreErrorEvents: true}); err != nil {
			return res, fmt.Errorf("prune: %w", err)
		}
		res.Terminated = started
		p.info(fmt.Sprintf("terminated %s", strings.Join(started, ", ")))
	}
	for _, d := range plan.DeleteVersions {
		_, err := p.EB.DeleteApplicationVersion(ctx, &eb.DeleteApplicationVersionInput{
			ApplicationName: aws.String(plan.Application), VersionLabel: aws.String(d.Name), DeleteSourceBundle: aws.Bool(true),
		})
		code, msg := apiError(err)
		switch {
		case err == nil:
			res.Deleted = append(res.Deleted, d.Name)
			p.info(fmt.Sprintf("deleted version %s and its bundle %s", d.Name, plan.bundles[d.Name]))
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
		p.Observer.Emit(progress.Warning{At: m.clock.Now(), Step: StepPrune, Message: "skipped " + s.String()})
	}
	return res, nil
}
