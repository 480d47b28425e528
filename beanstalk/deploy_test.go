package beanstalk

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/acceptance"
)

func TestDeployFirst(t *testing.T) {
	w, s3 := newWorld(), &fakeS3{}
	dep, err := w.deployer(s3).Deploy(context.Background(), testSpec(), rel)
	require.NoError(t, err)
	label := VersionLabel(rel.Image, rel.Bundle)
	assert.True(t, dep.FirstDeploy)
	assert.False(t, dep.VersionReused)
	assert.True(t, w.apps["hello"], "application created")
	assert.Equal(t, []string{"bucket/beanswap/bundles/hello/" + label + ".zip"}, s3.keys)
	require.Len(t, w.created, 1)
	in := w.created[0]
	assert.Equal(t, "hello", *in.CNAMEPrefix, "a first deploy takes the live prefix")
	assert.Equal(t, "arn:recommended", *in.PlatformArn, "Recommended beats newer")
	assert.Nil(t, in.SolutionStackName)
	assert.Equal(t, EnvironmentName("hello", label), *in.EnvironmentName)
	opts := map[string]string{}
	for _, o := range in.OptionSettings {
		opts[*o.Namespace+":"+*o.OptionName] = *o.Value
	}
	assert.Equal(t, "profile", opts["aws:autoscaling:launchconfiguration:IamInstanceProfile"])
	assert.Equal(t, "s3cret", opts["aws:elasticbeanstalk:application:environment:API_KEY"], "secrets reach Beanstalk")
	assert.Equal(t, "80", opts["aws:elasticbeanstalk:application:environment:PORT"])
	assert.Equal(t, label, opts["aws:elasticbeanstalk:application:environment:BEANSWAP_VERSION"], "the container can report its version")
	assert.Equal(t, "team/hello:1.2", opts["aws:elasticbeanstalk:application:environment:BEANSWAP_IMAGE"])
	assert.Equal(t, "hello", opts["aws:elasticbeanstalk:application:environment:BEANSWAP_SERVICE"])
	tags := map[string]string{}
	for _, tg := range in.Tags {
		tags[*tg.Key] = *tg.Value
	}
	assert.Equal(t, map[string]string{TagManagedBy: "beanswap", TagService: "hello", TagVersion: label, TagImage: "team/hello:1.2", "team": "a"}, tags)
}

func TestDeployBranches(t *testing.T) {
	label := VersionLabel(rel.Image, rel.Bundle)
	name := EnvironmentName("hello", label)
	live := types.EnvironmentDescription{EnvironmentName: aws.String("hello-old"), EnvironmentArn: aws.String("arn:hello-old"), CNAME: aws.String("hello.us-east-1.elasticbeanstalk.com"),
		Status: types.EnvironmentStatusReady, Health: types.EnvironmentHealthGreen, VersionLabel: aws.String("0.9-aaaa")}
	tests := map[string]struct {
		setup func(w *world, s3 *fakeS3, c *Spec)
		check func(t *testing.T, w *world, s3 *fakeS3, dep *Deployment)
		err   string
		is    error
	}{
		"version reused": {
			setup: func(w *world, _ *fakeS3, _ *Spec) { w.apps["hello"], w.versions[label] = true, true },
			check: func(t *testing.T, w *world, s3 *fakeS3, dep *Deployment) {
				assert.True(t, dep.VersionReused)
				assert.Empty(t, s3.keys, "no upload")
				assert.Zero(t, w.f.count("CreateApplicationVersion"))
			},
		},
		"configured stack": {
			setup: func(_ *world, _ *fakeS3, c *Spec) {
				c.Platform = "64bit Amazon Linux 2023 v4.13.1 running Docker"
			},
			check: func(t *testing.T, w *world, _ *fakeS3, _ *Deployment) {
				assert.Equal(t, "64bit Amazon Linux 2023 v4.13.1 running Docker", *w.created[0].SolutionStackName)
				assert.Zero(t, w.f.count("ListPlatformVersions"))
			},
		},
		"beside the live one, on a temporary prefix": {
			setup: func(w *world, _ *fakeS3, _ *Spec) {
				w.apps["hello"], w.envs = true, []types.EnvironmentDescription{live}
				w.taken[CandidatePrefix("hello", name, "hello")] = true
			},
			check: func(t *testing.T, w *world, _ *fakeS3, dep *Deployment) {
				assert.False(t, dep.FirstDeploy)
				assert.Equal(t, "hello-old", dep.Live.Name())
				assert.Equal(t, CandidatePrefix("hello", name, "hello")+"-2", *w.created[0].CNAMEPrefix, "a taken temporary prefix gets a suffix")
			},
		},
		"already live": {
			setup: func(w *world, _ *fakeS3, _ *Spec) {
				l := live
				l.VersionLabel = aws.String(label)
				w.apps["hello"], w.versions[label], w.envs = true, true, []types.EnvironmentDescription{l}
				w.tags["arn:hello-old"] = map[string]string{TagWentLive: "2026-01-05T09:00:00Z"}
			},
			check: func(t *testing.T, w *world, _ *fakeS3, dep *Deployment) {
				assert.True(t, dep.AlreadyLive)
				assert.False(t, dep.Unverified)
				assert.Empty(t, w.created)
			},
		},
		"live but never verified there": {
			setup: func(w *world, _ *fakeS3, _ *Spec) {
				l := live
				l.VersionLabel = aws.String(label)
				w.apps["hello"], w.versions[label], w.envs = true, true, []types.EnvironmentDescription{l}
			},
			check: func(t *testing.T, w *world, _ *fakeS3, dep *Deployment) {
				assert.True(t, dep.AlreadyLive)
				assert.True(t, dep.Unverified, "an interrupted run put it there: it is checked again")
				assert.Empty(t, w.created)
			},
		},
		"an interrupted first deploy still launching is waited for": {
			setup: func(w *world, _ *fakeS3, _ *Spec) {
				w.apps["hello"], w.versions[label] = true, true
				w.envs = []types.EnvironmentDescription{{EnvironmentName: aws.String(name), VersionLabel: aws.String(label),
					Status: types.EnvironmentStatusLaunching, Health: types.EnvironmentHealthGrey, CNAME: aws.String("hello.us-east-1.elasticbeanstalk.com")}}
				calls := 0
				w.f.DescribeEnvironmentsFn = func(*eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error) {
					if calls++; calls > 2 {
						w.envs[0].Status, w.envs[0].Health = types.EnvironmentStatusReady, types.EnvironmentHealthGreen
					}
					return &eb.DescribeEnvironmentsOutput{Environments: append([]types.EnvironmentDescription(nil), w.envs...)}, nil
				}
			},
			check: func(t *testing.T, w *world, _ *fakeS3, dep *Deployment) {
				assert.True(t, dep.Adopted)
				assert.True(t, dep.FirstDeploy)
				assert.True(t, dep.Unverified)
				assert.Empty(t, w.created)
				assert.Empty(t, w.terminated)
			},
		},
		"adopts an earlier run's environment": {
			setup: func(w *world, _ *fakeS3, _ *Spec) {
				w.apps["hello"], w.versions[label] = true, true
				w.envs = []types.EnvironmentDescription{live, {EnvironmentName: aws.String(name), VersionLabel: aws.String(label), Status: types.EnvironmentStatusReady, Health: types.EnvironmentHealthGreen, CNAME: aws.String("hello-x.us-east-1.elasticbeanstalk.com")}}
			},
			check: func(t *testing.T, w *world, _ *fakeS3, dep *Deployment) {
				assert.True(t, dep.Adopted)
				assert.Empty(t, w.created)
				assert.Empty(t, w.terminated)
			},
		},
		"replaces an earlier run's failed environment": {
			setup: func(w *world, _ *fakeS3, _ *Spec) {
				w.apps["hello"], w.versions[label] = true, true
				w.envs = []types.EnvironmentDescription{live, {EnvironmentName: aws.String(name), VersionLabel: aws.String(label), Status: types.EnvironmentStatusReady, Health: types.EnvironmentHealthRed, CNAME: aws.String("hello-x.us-east-1.elasticbeanstalk.com")}}
			},
			check: func(t *testing.T, w *world, _ *fakeS3, dep *Deployment) {
				assert.False(t, dep.Adopted)
				assert.Equal(t, []string{name}, w.terminated)
				assert.Len(t, w.created, 1)
			},
		},
		"a failed namesake that owns a database is not terminated": {
			setup: func(w *world, _ *fakeS3, _ *Spec) {
				w.apps["hello"], w.versions[label] = true, true
				w.envs = []types.EnvironmentDescription{live, {EnvironmentName: aws.String(name), VersionLabel: aws.String(label), Status: types.EnvironmentStatusReady, Health: types.EnvironmentHealthRed, CNAME: aws.String("hello-x.us-east-1.elasticbeanstalk.com")}}
				w.f.DescribeConfigurationSettingsFn = func(in *eb.DescribeConfigurationSettingsInput) (*eb.DescribeConfigurationSettingsOutput, error) {
					if *in.EnvironmentName != name {
						return noDatabase(in)
					}
					return &eb.DescribeConfigurationSettingsOutput{ConfigurationSettings: []types.ConfigurationSettingsDescription{{OptionSettings: []types.ConfigurationOptionSetting{
						{Namespace: aws.String(NamespaceRDS), OptionName: aws.String("HasCoupledDatabase"), Value: aws.String("true")},
					}}}}, nil
				}
			},
			is: ErrCoupledDatabase, err: name + " owns its database",
		},
		"live prefix held elsewhere": {
			setup: func(w *world, _ *fakeS3, _ *Spec) { w.taken["hello"] = true },
			err:   "the live CNAME prefix hello (hello.us-east-1.elasticbeanstalk.com) is held by an environment outside application hello",
		},
		"upload fails": {
			setup: func(_ *world, s3 *fakeS3, _ *Spec) { s3.err = errors.New("AccessDenied") },
			err:   "upload source bundle to s3://bucket/beanswap/bundles/hello/" + label + ".zip: AccessDenied",
		},
		"version quota": {
			setup: func(w *world, _ *fakeS3, _ *Spec) {
				w.f.CreateApplicationVersionFn = func(*eb.CreateApplicationVersionInput) (*eb.CreateApplicationVersionOutput, error) {
					return nil, apiErr("TooManyApplicationVersionsException", "You cannot have more than 1000 Application Versions.")
				}
			},
			is: ErrVersionQuota, err: "bundle s3://bucket/beanswap/bundles/hello/" + label + ".zip left in place",
		},
		"environment quota": {
			setup: func(w *world, _ *fakeS3, _ *Spec) {
				w.f.CreateEnvironmentFn = func(*eb.CreateEnvironmentInput) (*eb.CreateEnvironmentOutput, error) {
					return nil, apiErr("TooManyEnvironmentsException", "You have reached the maximum number of environments.")
				}
			},
			is: ErrEnvironmentQuota,
		},
		"launch fails, kept": {
			setup: func(w *world, _ *fakeS3, c *Spec) {
				c.OnFailure = KeepFailed
				w.launchState = types.EnvironmentDescription{Status: types.EnvironmentStatusReady, Health: types.EnvironmentHealthRed}
			},
			is: ErrLaunchFailed, err: "kept for debugging (on_failure: keep)",
		},
		"launch fails, terminated": {
			setup: func(w *world, _ *fakeS3, _ *Spec) {
				w.launchState = types.EnvironmentDescription{Status: types.EnvironmentStatusReady, Health: types.EnvironmentHealthRed}
			},
			is: ErrLaunchFailed, err: "left behind: nothing (environment " + name + " terminated); live traffic untouched",
		},
		"describe fails": {
			setup: func(w *world, _ *fakeS3, _ *Spec) {
				w.f.DescribeApplicationsFn = func(*eb.DescribeApplicationsInput) (*eb.DescribeApplicationsOutput, error) {
					return nil, errors.New("no route to host")
				}
			},
			err: "describe application hello: no route to host",
		},
	}
	for tn, tc := range tests {
		t.Run(tn, func(t *testing.T) {
			w, s3, c := newWorld(), &fakeS3{}, testSpec()
			tc.setup(w, s3, &c)
			dep, err := w.deployer(s3).Deploy(context.Background(), c, rel)
			if tc.err != "" || tc.is != nil {
				require.Error(t, err)
				assert.ErrorContains(t, err, tc.err)
				if tc.is != nil {
					assert.ErrorIs(t, err, tc.is)
				}
				var de *DeployError
				assert.ErrorAs(t, err, &de)
				return
			}
			require.NoError(t, err)
			tc.check(t, w, s3, dep)
		})
	}
}

func TestPlanChangesNothing(t *testing.T) {
	w := newWorld()
	plan, err := w.deployer(&fakeS3{}).Plan(context.Background(), testSpec(), rel)
	require.NoError(t, err)
	assert.False(t, plan.ApplicationExists)
	assert.True(t, plan.FirstDeploy)
	assert.Equal(t, "hello", plan.CNAMEPrefix)
	for _, call := range w.f.calls {
		assert.NotRegexp(t, `^(Create|Terminate|Update|Delete|Swap)`, call)
	}
	for _, o := range plan.Options {
		assert.NotContains(t, o.String(), "s3cret")
	}
}

// TestAcceptIsHandledWhereTheEnvironmentWasLaunched: the package that
// launched a candidate marks a first deploy live once accepted, and
// applies the failure policy to one that fails its checks.
func TestAcceptIsHandledWhereTheEnvironmentWasLaunched(t *testing.T) {
	pass := acceptance.CheckerFunc(func(context.Context, acceptance.Target) error { return nil })
	fail := acceptance.CheckerFunc(func(context.Context, acceptance.Target) error {
		return &acceptance.Failure{Check: "ping", Detail: "status 500"}
	})
	t.Run("first deploy accepted is marked live", func(t *testing.T) {
		w := newWorld()
		var tagged []string
		w.f.UpdateTagsForResourceFn = func(in *eb.UpdateTagsForResourceInput) (*eb.UpdateTagsForResourceOutput, error) {
			tagged = append(tagged, *in.TagsToAdd[0].Key)
			return &eb.UpdateTagsForResourceOutput{}, nil
		}
		dep, err := w.deployer(&fakeS3{}).Deploy(context.Background(), testSpec(), rel)
		require.NoError(t, err)
		passed, err := dep.Accept(context.Background(), pass)
		require.NoError(t, err)
		assert.True(t, passed.Covers(dep.Name(), dep.Label))
		assert.Equal(t, []string{TagWentLive}, tagged)
	})
	for name, policy := range map[string]FailurePolicy{"terminate": TerminateFailed, "keep": KeepFailed} {
		t.Run("failed candidate: "+name, func(t *testing.T) {
			w := newWorld()
			w.apps["hello"] = true
			w.envs = []types.EnvironmentDescription{{EnvironmentName: aws.String("hello-old"), EnvironmentArn: aws.String("arn:hello-old"),
				CNAME: aws.String("hello.us-east-1.elasticbeanstalk.com"), Status: types.EnvironmentStatusReady, Health: types.EnvironmentHealthGreen}}
			spec := testSpec()
			spec.OnFailure = policy
			dep, err := w.deployer(&fakeS3{}).Deploy(context.Background(), spec, rel)
			require.NoError(t, err)
			_, err = dep.Accept(context.Background(), fail)
			var de *DeployError
			require.ErrorAs(t, err, &de)
			assert.ErrorIs(t, err, acceptance.ErrFailed)
			if policy == TerminateFailed {
				assert.Equal(t, []string{dep.Name()}, w.terminated)
				assert.Contains(t, de.Left, "terminated")
			} else {
				assert.Empty(t, w.terminated)
				assert.Contains(t, de.Left, "kept for debugging")
			}
		})
	}
	t.Run("an environment left on the live CNAME is never terminated", func(t *testing.T) {
		w := newWorld()
		label := VersionLabel(rel.Image, rel.Bundle)
		w.apps["hello"], w.versions[label] = true, true
		w.envs = []types.EnvironmentDescription{{EnvironmentName: aws.String(EnvironmentName("hello", label)), VersionLabel: aws.String(label),
			CNAME: aws.String("hello.us-east-1.elasticbeanstalk.com"), Status: types.EnvironmentStatusReady, Health: types.EnvironmentHealthGreen}}
		dep, err := w.deployer(&fakeS3{}).Deploy(context.Background(), testSpec(), rel)
		require.NoError(t, err)
		require.True(t, dep.Unverified)
		_, err = dep.Accept(context.Background(), fail)
		require.Error(t, err)
		assert.Empty(t, w.terminated)
		assert.Contains(t, err.Error(), "holds the live CNAME: left as it is")
		assert.Contains(t, dep.Reject(context.Background()), "left as it is", "Reject spares the live environment too")
		assert.Empty(t, w.terminated)
	})
}

// TestZeroValuesSayWhatIsMissing: a zero Deployer, an empty Spec, a
// Deployment not made by Deploy are errors naming the field, never panics.
func TestZeroValuesSayWhatIsMissing(t *testing.T) {
	ctx := context.Background()
	_, err := Deployer{}.Deploy(ctx, testSpec(), rel)
	assert.ErrorIs(t, err, ErrMissingClient)
	assert.ErrorContains(t, err, "Deployer.EB is nil")
	_, err = Deployer{EB: newWorld().f}.Deploy(ctx, testSpec(), rel)
	assert.ErrorContains(t, err, "Deployer.S3 is nil")
	_, err = Deployer{EB: newWorld().f, S3: &fakeS3{}}.Deploy(ctx, Spec{}, rel)
	assert.ErrorIs(t, err, ErrInvalidSpec)
	assert.ErrorContains(t, err, "Spec.Service: required")
	assert.ErrorContains(t, err, "Spec.Environment.InstanceProfile: required")
	withDB := testSpec()
	withDB.Environment.Options = []OptionSetting{{Namespace: NamespaceRDS, Name: "DBEngine", Value: "postgres"}}
	_, err = Deployer{EB: newWorld().f, S3: &fakeS3{}}.Deploy(ctx, withDB, rel)
	assert.ErrorIs(t, err, ErrInvalidSpec)
	assert.ErrorContains(t, err, "aws:rds:dbinstance DBEngine: a database coupled to the environment is lost")
	_, err = (&Deployment{}).Accept(ctx, nil)
	assert.ErrorIs(t, err, ErrMissingClient)
	var nilDep *Deployment
	assert.Empty(t, nilDep.Reject(ctx))
}

// TestDeployerIsSharedSafely runs plans from one Deployer at once; the
// race detector would see a Deployer writing to itself.
func TestDeployerIsSharedSafely(t *testing.T) {
	w := newWorld()
	d := w.deployer(&fakeS3{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := d.Plan(context.Background(), testSpec(), rel)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Nil(t, d.Monitor, "the Deployer kept no Monitor of its own")
}

// TestEveryReadGoesThroughTheMonitor: DescribeApplications,
// DescribeApplicationVersions and ListPlatformVersions are throttled like
// the rest; the Monitor's budget and retries cover them too.
func TestEveryReadGoesThroughTheMonitor(t *testing.T) {
	w := newWorld()
	w.apps["hello"] = true
	throttle := map[string]int{}
	for _, name := range []string{"DescribeApplications", "DescribeApplicationVersions", "ListPlatformVersions"} {
		throttle[name] = 3
	}
	wrap := func(name string) error {
		if throttle[name] > 0 {
			throttle[name]--
			return apiErr("Throttling", "Rate exceeded")
		}
		return nil
	}
	apps, versions, platforms := w.f.DescribeApplicationsFn, w.f.DescribeApplicationVersionsFn, w.f.ListPlatformVersionsFn
	w.f.DescribeApplicationsFn = func(in *eb.DescribeApplicationsInput) (*eb.DescribeApplicationsOutput, error) {
		if err := wrap("DescribeApplications"); err != nil {
			return nil, err
		}
		return apps(in)
	}
	w.f.DescribeApplicationVersionsFn = func(in *eb.DescribeApplicationVersionsInput) (*eb.DescribeApplicationVersionsOutput, error) {
		if err := wrap("DescribeApplicationVersions"); err != nil {
			return nil, err
		}
		return versions(in)
	}
	w.f.ListPlatformVersionsFn = func(in *eb.ListPlatformVersionsInput) (*eb.ListPlatformVersionsOutput, error) {
		if err := wrap("ListPlatformVersions"); err != nil {
			return nil, err
		}
		return platforms(in)
	}
	_, err := w.deployer(&fakeS3{}).Plan(context.Background(), testSpec(), rel)
	require.NoError(t, err, "retried by the Monitor, not failed after the SDK's own attempts")
	for _, name := range []string{"DescribeApplications", "DescribeApplicationVersions", "ListPlatformVersions"} {
		assert.Equal(t, 4, w.f.count(name), name)
	}
}

// The live environment's tags (the swap's rollback mark) are read while
// the new one launches, not before its wait starts: behind a fleet's
// queue of tag reads, a launch that failed went unnoticed for as long.
// Here the tag read holds until the launch wait has read the new
// environment and its events, and that read reports the launch failed.
func TestLaunchWaitDoesNotWaitForTheLiveTags(t *testing.T) {
	label := VersionLabel(rel.Image, rel.Bundle)
	name := EnvironmentName("hello", label)
	w := newWorld()
	w.apps["hello"] = true
	w.envs = []types.EnvironmentDescription{{EnvironmentName: aws.String("hello-old"), EnvironmentArn: aws.String("arn:hello-old"),
		CNAME: aws.String("hello.us-east-1.elasticbeanstalk.com"), Status: types.EnvironmentStatusReady, Health: types.EnvironmentHealthGreen, VersionLabel: aws.String("0.9-aaaa")}}
	w.launchState = types.EnvironmentDescription{Status: types.EnvironmentStatusLaunching, Health: types.EnvironmentHealthGrey}
	polled := make(chan struct{})
	var once sync.Once
	w.f.DescribeEventsFn = func(*eb.DescribeEventsInput) (*eb.DescribeEventsOutput, error) {
		if len(w.created) == 0 {
			return &eb.DescribeEventsOutput{}, nil
		}
		once.Do(func() { close(polled) })
		return &eb.DescribeEventsOutput{Events: []types.EventDescription{{EventDate: aws.Time(time.Date(2026, 1, 5, 9, 0, 5, 0, time.UTC)),
			Severity: types.EventSeverityError, EnvironmentName: aws.String(name), ApplicationName: aws.String("hello"), Message: aws.String("Failed to pull Docker image team/hello:1.2.")}}}, nil
	}
	tags := w.f.ListTagsForResourceFn
	var heldUp atomic.Bool
	w.f.ListTagsForResourceFn = func(in *eb.ListTagsForResourceInput) (*eb.ListTagsForResourceOutput, error) {
		if aws.ToString(in.ResourceArn) == "arn:hello-old" {
			select {
			case <-polled:
			case <-time.After(5 * time.Second): // wall clock: the launch wait never started
				heldUp.Store(true)
				return nil, errors.New("the launch wait did not start while the live environment's tags were read")
			}
		}
		return tags(in)
	}
	spec := testSpec()
	spec.OnFailure = KeepFailed
	_, err := w.deployer(&fakeS3{}).Deploy(context.Background(), spec, rel)
	require.ErrorIs(t, err, ErrLaunchFailed)
	assert.ErrorContains(t, err, "Failed to pull Docker image")
	// The read may have gone on while the launch wait polled, or, still
	// queued in the budget when the launch failed, never been made.
	assert.False(t, heldUp.Load(), "the launch wait started only once the live environment's tags were read")
}
