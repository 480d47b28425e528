package beanstalk

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalktest"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// estate is a service's environments with their tags, for prune plans.
type estate struct {
	envs []types.EnvironmentDescription
	tags map[string]map[string]string                  // by environment name
	rds  map[string][]types.ConfigurationOptionSetting // by environment name
}

func (e *estate) add(name, cname, version string, status types.EnvironmentStatus, health types.EnvironmentHealth, created time.Time, tags map[string]string) {
	e.envs = append(e.envs, types.EnvironmentDescription{
		EnvironmentName: aws.String(name), EnvironmentArn: aws.String("arn:" + name), CNAME: aws.String(cname),
		VersionLabel: aws.String(version), Status: status, Health: health, DateCreated: aws.Time(created), DateUpdated: aws.Time(created),
	})
	if e.tags == nil {
		e.tags = map[string]map[string]string{}
	}
	e.tags[name] = tags
}

func managed(wentLive time.Time) map[string]string {
	t := map[string]string{TagManagedBy: "beanswap", TagService: "hello"}
	if !wentLive.IsZero() {
		t[TagWentLive] = wentLive.Format(time.RFC3339)
	}
	return t
}

// stagedAt are the tags of a staged environment accepted at accepted.
func stagedAt(accepted time.Time) map[string]string {
	t := managed(time.Time{})
	t[TagAccepted] = accepted.Format(time.RFC3339)
	return t
}

func (e *estate) fake(versions ...string) *fakeEB {
	f := &fakeEB{
		DescribeEnvironmentsFn: func(*eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error) {
			return &eb.DescribeEnvironmentsOutput{Environments: e.envs}, nil
		},
		DescribeConfigurationSettingsFn: func(in *eb.DescribeConfigurationSettingsInput) (*eb.DescribeConfigurationSettingsOutput, error) {
			return &eb.DescribeConfigurationSettingsOutput{ConfigurationSettings: []types.ConfigurationSettingsDescription{{OptionSettings: e.rds[*in.EnvironmentName]}}}, nil
		},
		ListTagsForResourceFn: func(in *eb.ListTagsForResourceInput) (*eb.ListTagsForResourceOutput, error) {
			var out []types.Tag
			for k, v := range e.tags[(*in.ResourceArn)[len("arn:"):]] {
				out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(v)})
			}
			return &eb.ListTagsForResourceOutput{ResourceTags: out}, nil
		},
		DescribeApplicationVersionsFn: func(*eb.DescribeApplicationVersionsInput) (*eb.DescribeApplicationVersionsOutput, error) {
			var out []types.ApplicationVersionDescription
			for i, v := range versions {
				out = append(out, types.ApplicationVersionDescription{VersionLabel: aws.String(v), DateCreated: aws.Time(t0.Add(time.Duration(i) * time.Hour)),
					SourceBundle: &types.S3Location{S3Bucket: aws.String("b"), S3Key: aws.String(v + ".zip")}})
			}
			return &eb.DescribeApplicationVersionsOutput{ApplicationVersions: out}, nil
		},
	}
	return f
}

func names(ds []Decision) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

func TestPrunePlan(t *testing.T) {
	ready, launching, updating := types.EnvironmentStatusReady, types.EnvironmentStatusLaunching, types.EnvironmentStatusUpdating
	green, red, grey := types.EnvironmentHealthGreen, types.EnvironmentHealthRed, types.EnvironmentHealthGrey
	e := &estate{}
	e.add("hello-5", "hello.us-east-1.elasticbeanstalk.com", "v5", ready, green, t0.Add(5*time.Hour), managed(t0.Add(5*time.Hour)))
	e.add("hello-4", "hello-4.us-east-1.elasticbeanstalk.com", "v4", ready, green, t0.Add(4*time.Hour), managed(t0.Add(4*time.Hour)))
	e.add("hello-3", "hello-3.us-east-1.elasticbeanstalk.com", "v3", ready, green, t0.Add(3*time.Hour), managed(t0.Add(3*time.Hour)))
	e.add("hello-2", "hello-2.us-east-1.elasticbeanstalk.com", "v2", updating, green, t0.Add(2*time.Hour), managed(t0.Add(2*time.Hour)))
	e.add("hello-6", "hello-6.us-east-1.elasticbeanstalk.com", "v6", ready, red, t0.Add(5*time.Hour), managed(time.Time{}))                     // failed candidate, 1h old
	e.add("hello-7", "hello-7.us-east-1.elasticbeanstalk.com", "v7", launching, grey, t0.Add(6*time.Hour-10*time.Minute), managed(time.Time{})) // young candidate
	e.add("hello-0", "hello-0.us-east-1.elasticbeanstalk.com", "v0", launching, grey, t0, managed(time.Time{}))                                 // abandoned: 6h old
	e.add("legacy", "legacy.us-east-1.elasticbeanstalk.com", "v1", ready, green, t0, map[string]string{})
	e.add("hello-evil", "x.us-east-1.elasticbeanstalk.com", "v1", ready, green, t0, map[string]string{TagManagedBy: "beanswap", TagService: "other"})

	spec := Spec{Service: "hello", Environment: EnvironmentSettings{InstanceProfile: "p"}, Retention: Retention{KeepVersions: 1}}
	clk := beanstalktest.NewManualClock(t0.Add(6 * time.Hour))
	rt := Runtime{Clock: clk}

	t.Run("shared", func(t *testing.T) {
		p := Pruner{EB: e.fake("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "va"), Runtime: rt}
		plan, err := p.Plan(context.Background(), spec, PruneOptions{})
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"hello-3", "hello-0"}, names(plan.Terminate), "%s", plan)
		kept := map[string]string{}
		for _, d := range plan.Keep {
			kept[d.Name] = d.Reason
		}
		assert.Equal(t, "live", kept["hello-5"])
		assert.Contains(t, kept["hello-4"], "kept for rollback")
		assert.Contains(t, kept["hello-2"], "busy")
		assert.Contains(t, kept["hello-6"], "may belong to a deploy in progress")
		assert.Contains(t, kept["hello-7"], "may belong to a deploy in progress")
		assert.Contains(t, kept["legacy"], "not created by beanswap")
		assert.Contains(t, kept["hello-evil"], "not created by beanswap", "another service's tag")
		// v0 and v3 run on environments being terminated: freed. Unused:
		// va, v9, v8, v3, v0; keep the newest one.
		assert.Equal(t, []string{"v0", "v3", "v8", "v9"}, names(plan.DeleteVersions), "oldest first")
	})
	t.Run("exclusive", func(t *testing.T) {
		p := Pruner{EB: e.fake("v1"), Runtime: rt}
		plan, err := p.Plan(context.Background(), spec, PruneOptions{Exclusive: true})
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"hello-3", "hello-6", "hello-0"}, names(plan.Terminate), "with the lock, a settled never-live candidate is abandoned; a young launching one is not")
	})
	t.Run("versions only, making room", func(t *testing.T) {
		c := spec
		c.Retention.KeepVersions = 10
		p := Pruner{EB: e.fake("v1", "v8", "v9"), Runtime: rt}
		plan, err := p.Plan(context.Background(), c, PruneOptions{VersionsOnly: true, MakeRoom: 1})
		require.NoError(t, err)
		assert.Empty(t, plan.Terminate)
		assert.Equal(t, []string{"v8"}, names(plan.DeleteVersions), "v1 is deployed to legacy; the oldest unused goes")
		assert.Contains(t, plan.DeleteVersions[0].Reason, "room under the version quota")
	})
	t.Run("keep none", func(t *testing.T) {
		c := spec
		c.Retention.KeepPrevious = -1
		p := Pruner{EB: e.fake(), Runtime: rt}
		plan, err := p.Plan(context.Background(), c, PruneOptions{})
		require.NoError(t, err)
		assert.Contains(t, names(plan.Terminate), "hello-4")
	})
}

func TestPruneSkipsWhatBeanstalkRefuses(t *testing.T) {
	e := &estate{}
	e.add("hello-5", "hello.us-east-1.elasticbeanstalk.com", "v5", types.EnvironmentStatusReady, types.EnvironmentHealthGreen, t0, managed(t0))
	f := e.fake()
	f.DeleteApplicationVersionFn = func(in *eb.DeleteApplicationVersionInput) (*eb.DeleteApplicationVersionOutput, error) {
		switch *in.VersionLabel {
		case "busy":
			return nil, apiErr("OperationInProgressFailure", "in progress")
		case "used":
			return nil, apiErr("InvalidParameterValue", "Unable to delete application version 'used' because it is being used by environment(s): x")
		case "bundle":
			return nil, apiErr("SourceBundleDeletionFailure", "access denied")
		}
		assert.True(t, *in.DeleteSourceBundle)
		return &eb.DeleteApplicationVersionOutput{}, nil
	}
	f.TerminateEnvironmentFn = func(*eb.TerminateEnvironmentInput) (*eb.TerminateEnvironmentOutput, error) {
		return nil, apiErr("InvalidParameterValue", "Environment named hello-4 is in an invalid state for this operation. Must be Ready.")
	}
	p := Pruner{EB: f, Runtime: Runtime{Clock: beanstalktest.NewManualClock(t0)}}
	p.Monitor = p.MonitorFor(f)
	plan := &PrunePlan{Application: "hello", Terminate: []Decision{{"hello-4", "x"}},
		DeleteVersions: []Decision{{"busy", ""}, {"used", ""}, {"bundle", ""}, {"ok", ""}}}
	res, err := p.apply(context.Background(), Spec{Service: "hello"}.withDefaults(), plan)
	require.NoError(t, err)
	assert.Equal(t, []string{"ok"}, res.Deleted)
	assert.Empty(t, res.Terminated)
	assert.Equal(t, []string{"hello-4", "busy", "used", "bundle"}, names(res.Skipped))
}

// TestApplyNeverTerminatesWhatIsKept hands Apply a plan made up to
// terminate everything: only what a fresh plan decides is carried out.
func TestApplyNeverTerminatesWhatIsKept(t *testing.T) {
	ready, green := types.EnvironmentStatusReady, types.EnvironmentHealthGreen
	e := &estate{}
	e.add("hello-3", "hello.us-east-1.elasticbeanstalk.com", "v3", ready, green, t0.Add(3*time.Hour), managed(t0.Add(3*time.Hour)))
	e.add("hello-2", "hello-2.us-east-1.elasticbeanstalk.com", "v2", ready, green, t0.Add(2*time.Hour), managed(t0.Add(2*time.Hour)))
	e.add("hello-1", "hello-1.us-east-1.elasticbeanstalk.com", "v1", ready, green, t0.Add(time.Hour), managed(t0.Add(time.Hour)))
	f := e.fake("v1", "v2", "v3")
	var terminated []string
	f.TerminateEnvironmentFn = func(in *eb.TerminateEnvironmentInput) (*eb.TerminateEnvironmentOutput, error) {
		terminated = append(terminated, *in.EnvironmentName)
		for i := range e.envs {
			if *e.envs[i].EnvironmentName == *in.EnvironmentName {
				e.envs[i].Status = types.EnvironmentStatusTerminated
			}
		}
		return &eb.TerminateEnvironmentOutput{}, nil
	}
	f.DescribeEventsFn = func(*eb.DescribeEventsInput) (*eb.DescribeEventsOutput, error) {
		return &eb.DescribeEventsOutput{}, nil
	}
	f.DeleteApplicationVersionFn = func(*eb.DeleteApplicationVersionInput) (*eb.DeleteApplicationVersionOutput, error) {
		t.Error("no version may be deleted: all are in use")
		return &eb.DeleteApplicationVersionOutput{}, nil
	}
	p := Pruner{EB: f, Runtime: Runtime{Clock: beanstalktest.NewManualClock(t0.Add(4 * time.Hour))}}
	spec := Spec{Service: "hello", Environment: EnvironmentSettings{InstanceProfile: "p"}}
	greedy := &PrunePlan{Application: "hello",
		Terminate:      []Decision{{"hello-3", "made up"}, {"hello-2", "made up"}, {"hello-1", "made up"}},
		DeleteVersions: []Decision{{"v3", "made up"}}}
	res, err := p.Apply(context.Background(), spec, greedy)
	require.NoError(t, err)
	assert.Equal(t, []string{"hello-1"}, terminated, "only what the policy allows: the live one and the rollback one stay")
	assert.Equal(t, []string{"hello-1"}, res.Terminated)
	skipped := map[string]string{}
	for _, d := range res.Skipped {
		skipped[d.Name] = d.Reason
	}
	assert.Equal(t, "kept: live", skipped["hello-3"])
	assert.Contains(t, skipped["hello-2"], "kept for rollback")
	assert.Contains(t, skipped["v3"], "kept: deployed to hello-3")

	_, err = Pruner{}.Prune(context.Background(), spec, PruneOptions{})
	assert.ErrorIs(t, err, ErrMissingClient, "a zero Pruner says what is missing")
	assert.ErrorContains(t, err, "Pruner.EB is nil")
}

// TestPruneReadsTheLiveTagsOnlyForStaged: the live environment is kept
// whatever its tags say, so pruning reads them only to judge a staged
// environment against it (accepted after it went live: kept; before:
// superseded). Every other environment's tags are read.
func TestPruneReadsTheLiveTagsOnlyForStaged(t *testing.T) {
	ready, green := types.EnvironmentStatusReady, types.EnvironmentHealthGreen
	tests := []struct {
		name      string
		staged    map[string]string // hello-9's tags; nil: no such environment
		liveTags  int
		terminate []string
	}{
		{"nothing staged", nil, 0, []string{"hello-3"}},
		{"staged after the live one went live", stagedAt(t0.Add(5*time.Hour + time.Minute)), 1, []string{"hello-3"}},
		{"staged before it", stagedAt(t0.Add(4 * time.Hour)), 1, []string{"hello-3", "hello-9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &estate{}
			e.add("hello-5", "hello.us-east-1.elasticbeanstalk.com", "v5", ready, green, t0.Add(5*time.Hour), managed(t0.Add(5*time.Hour)))
			e.add("hello-4", "hello-4.us-east-1.elasticbeanstalk.com", "v4", ready, green, t0.Add(4*time.Hour), managed(t0.Add(4*time.Hour)))
			e.add("hello-3", "hello-3.us-east-1.elasticbeanstalk.com", "v3", ready, green, t0.Add(3*time.Hour), managed(t0.Add(3*time.Hour)))
			if tt.staged != nil {
				e.add("hello-9", "hello-9.us-east-1.elasticbeanstalk.com", "v9", ready, green, t0.Add(4*time.Hour), tt.staged)
			}
			f := e.fake("v3", "v4", "v5", "v9")
			var liveReads int
			list := f.ListTagsForResourceFn
			f.ListTagsForResourceFn = func(in *eb.ListTagsForResourceInput) (*eb.ListTagsForResourceOutput, error) {
				if aws.ToString(in.ResourceArn) == "arn:hello-5" {
					liveReads++
				}
				return list(in)
			}
			p := Pruner{EB: f, Runtime: Runtime{Clock: beanstalktest.NewManualClock(t0.Add(6 * time.Hour))}}
			spec := Spec{Service: "hello", Environment: EnvironmentSettings{InstanceProfile: "p"}, Retention: Retention{KeepVersions: 10}}
			plan, err := p.Plan(context.Background(), spec, PruneOptions{})
			require.NoError(t, err)
			assert.ElementsMatch(t, tt.terminate, names(plan.Terminate), "%s", plan)
			assert.Contains(t, names(plan.Keep), "hello-5")
			assert.Equal(t, tt.liveTags, liveReads)
			assert.Equal(t, len(e.envs)-1+tt.liveTags, f.count("ListTagsForResource"), "every other environment's tags are read")
		})
	}
}

// TestPruneKeepsTheVersionsStagedEnvironmentsRun: a staged environment
// runs its version as any other does; pruning never plans to delete it
// (Beanstalk would refuse, and the plan a person reads would lie), unless
// the staged environment is terminated first.
func TestPruneKeepsTheVersionsStagedEnvironmentsRun(t *testing.T) {
	ready, green := types.EnvironmentStatusReady, types.EnvironmentHealthGreen
	e := &estate{}
	e.add("hello-5", "hello.us-east-1.elasticbeanstalk.com", "v5", ready, green, t0.Add(5*time.Hour), managed(t0.Add(5*time.Hour)))
	e.add("hello-9", "hello-9.us-east-1.elasticbeanstalk.com", "v9", ready, green, t0.Add(5*time.Hour), stagedAt(t0.Add(5*time.Hour+time.Minute)))
	e.add("hello-8", "hello-8.us-east-1.elasticbeanstalk.com", "v8", ready, green, t0.Add(3*time.Hour), stagedAt(t0.Add(3*time.Hour)))
	p := Pruner{EB: e.fake("v5", "v8", "v9"), Runtime: Runtime{Clock: beanstalktest.NewManualClock(t0.Add(6 * time.Hour))}}
	spec := Spec{Service: "hello", Environment: EnvironmentSettings{InstanceProfile: "p"}, Retention: Retention{KeepVersions: -1}}
	plan, err := p.Plan(context.Background(), spec, PruneOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"hello-8"}, names(plan.Terminate), "%s", plan)
	assert.ElementsMatch(t, []string{"v5", "v9"}, names(plan.KeepVersions), "%s", plan)
	assert.Equal(t, []string{"v8"}, names(plan.DeleteVersions), "the superseded staged environment goes first, then its version")
}

// TestPruneKeepsWhatWentLiveWhenTheLiveOneIsUnknown: when no environment
// holds the live CNAME (a misconfigured prefix, say), the live one may be
// any that went live: pruning terminates none of them, whatever the
// retention, and still retires what never went live.
func TestPruneKeepsWhatWentLiveWhenTheLiveOneIsUnknown(t *testing.T) {
	ready, green := types.EnvironmentStatusReady, types.EnvironmentHealthGreen
	e := &estate{}
	e.add("hello-5", "hello-blue.us-east-1.elasticbeanstalk.com", "v5", ready, green, t0.Add(5*time.Hour), managed(t0.Add(5*time.Hour)))
	e.add("hello-4", "hello-4.us-east-1.elasticbeanstalk.com", "v4", ready, green, t0.Add(4*time.Hour), managed(t0.Add(4*time.Hour)))
	e.add("hello-3", "hello-3.us-east-1.elasticbeanstalk.com", "v3", ready, green, t0.Add(3*time.Hour), managed(t0.Add(3*time.Hour)))
	e.add("hello-6", "hello-6.us-east-1.elasticbeanstalk.com", "v6", ready, types.EnvironmentHealthRed, t0.Add(5*time.Hour), managed(time.Time{}))
	for _, keepPrevious := range []int{1, -1} {
		p := Pruner{EB: e.fake("v3", "v4", "v5", "v6"), Runtime: Runtime{Clock: beanstalktest.NewManualClock(t0.Add(6 * time.Hour))}}
		spec := Spec{Service: "hello", Environment: EnvironmentSettings{InstanceProfile: "p"}, Retention: Retention{KeepPrevious: keepPrevious, KeepVersions: -1}}
		plan, err := p.Plan(context.Background(), spec, PruneOptions{Exclusive: true})
		require.NoError(t, err)
		assert.Equal(t, []string{"hello-6"}, names(plan.Terminate), "keep_environments %d: only the candidate that never went live goes\n%s", keepPrevious, plan)
		assert.Contains(t, plan.String(), "hello-5: went live, and the live environment is unknown (CNAME prefix hello is held by no environment)")
		assert.Equal(t, []string{"v6"}, names(plan.DeleteVersions))
	}
}
