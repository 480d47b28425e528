package beanswap

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/lock"
	"github.com/beanswap/beanswap/notify"
	"github.com/beanswap/beanswap/progress"
	"github.com/beanswap/beanswap/swap"
)

// active lists the application's environments that are not terminated,
// by name.
func (h *harness) active() []string {
	var names []string
	for name, e := range h.environments() {
		if e.Status != types.EnvironmentStatusTerminated {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func (h *harness) versions() []string {
	out, err := eb.NewFromConfig(h.sim.Config()).DescribeApplicationVersions(context.Background(), &eb.DescribeApplicationVersionsInput{ApplicationName: aws.String("hello")})
	require.NoError(h.t, err)
	var labels []string
	for _, v := range out.ApplicationVersions {
		labels = append(labels, aws.ToString(v.VersionLabel))
	}
	sort.Strings(labels)
	return labels
}

func TestPruneAfterDeploys(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.KeepVersions = 1 })
	var reports []*Report
	for _, tag := range []string{"1.0.0", "1.1.0", "1.2.0", "1.3.0"} {
		r, err := h.deploy("registry.example.com/team/hello:" + tag)
		require.NoError(t, err)
		reports = append(reports, r)
	}
	last, previous := reports[3], reports[2]
	assert.Equal(t, []string{previous.Live, last.Live}, h.active(), "live and the one previous kept for rollback; older ones terminated")
	assert.Equal(t, []string{previous.Swap.Previous}, last.Pruned.Terminated, "each deploy prunes the one that dropped out")
	assert.ElementsMatch(t, []string{reports[1].Version, previous.Version, last.Version}, h.versions(),
		"versions of the two running environments, plus the newest unused one")
	_, err := s3.NewFromConfig(h.sim.Config()).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("hello-docker"), Key: aws.String(beanstalk.BundleKey("hello", reports[0].Version))})
	assert.Error(t, err, "the oldest version's bundle went with it")
}

func TestPruneLeavesUnmanagedEnvironments(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.KeepEnvironments = 0 })
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	c := eb.NewFromConfig(h.sim.Config())
	_, err = c.CreateEnvironment(context.Background(), &eb.CreateEnvironmentInput{ApplicationName: aws.String("hello"), EnvironmentName: aws.String("hello-handmade"),
		SolutionStackName: aws.String("64bit Amazon Linux 2023 v4.13.1 running Docker"),
		OptionSettings:    []types.ConfigurationOptionSetting{{Namespace: aws.String("aws:autoscaling:launchconfiguration"), OptionName: aws.String("IamInstanceProfile"), Value: aws.String("aws-elasticbeanstalk-ec2-role")}}})
	require.NoError(t, err)
	h.clock.Advance(3 * time.Hour)

	svc := h.service()
	plan, err := svc.PlanPrune(context.Background())
	require.NoError(t, err)
	assert.Contains(t, plan.String(), "hello-handmade: not created by beanswap (set prune_unmanaged to allow)")
	assert.Empty(t, plan.Terminate)
	_, err = svc.Prune(context.Background())
	require.NoError(t, err)
	assert.Contains(t, h.active(), "hello-handmade")

	h.cfg.PruneUnmanaged = true
	res, err := svc.Prune(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"hello-handmade"}, res.Terminated, "%s", res.Plan)
	assert.Len(t, h.active(), 1)
}

func TestVersionCleanupSparesVersionsInUse(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.KeepVersions = 0; c.PruneAfterDeploy = false })
	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	r2, err := h.deploy("registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	res, err := h.service().Prune(context.Background())
	require.NoError(t, err)
	assert.Empty(t, res.Deleted, "%s", res.Plan)
	assert.ElementsMatch(t, []string{r1.Version, r2.Version}, h.versions())
}

func TestVersionQuotaPrunesAndRetries(t *testing.T) {
	// Three versions fill the quota; pruning after each deploy keeps them
	// all (keep_versions 10) but retires environments.
	h := newHarnessWith(t, nil, 3)
	var labels []string
	for _, tag := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		r, err := h.deploy("registry.example.com/team/hello:" + tag)
		require.NoError(t, err)
		labels = append(labels, r.Version)
	}
	require.Len(t, h.versions(), 3)

	r, err := h.deploy("registry.example.com/team/hello:1.3.0")
	require.NoError(t, err, "the quota is hit, the oldest unused version pruned, the deploy retried")
	assert.Equal(t, r.Version, h.liveVersion())
	assert.NotContains(t, h.versions(), labels[0])

	h.cfg.PruneAfterDeploy = false
	_, err = h.deploy("registry.example.com/team/hello:1.4.0")
	assert.ErrorIs(t, err, beanstalk.ErrVersionQuota, "without pruning the quota stops the deploy")
	assert.ErrorContains(t, err, "left in place")
}

func TestRollback(t *testing.T) {
	h := newHarness(t, nil)
	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	r2, err := h.deploy("registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	var outcomes []notify.Outcome
	svc := h.service()
	svc.Notify = []notify.Notifier{notify.Func(func(_ context.Context, o notify.Outcome) error { outcomes = append(outcomes, o); return nil })}
	res, err := svc.SwitchLive(context.Background(), Previous)
	require.NoError(t, err)
	assert.Equal(t, r1.Live, res.Live)
	assert.Equal(t, r2.Live, res.Previous)
	assert.Equal(t, r1.Version, h.liveVersion())
	require.Len(t, outcomes, 1)
	assert.Equal(t, notify.OpRollback, outcomes[0].Operation)
	assert.Equal(t, notify.Succeeded, outcomes[0].Result)

	// Rolling back again goes to the one live before: forth again.
	res, err = svc.SwitchLive(context.Background(), Previous)
	require.NoError(t, err)
	assert.Equal(t, r2.Live, res.Live)

	_, err = svc.SwitchLive(context.Background(), "hello-nope")
	assert.ErrorIs(t, err, ErrNoSuchEnvironment)
	assert.ErrorContains(t, err, "hello-nope is no active environment of application hello")
}

func TestRollbackRefusesAnUnhealthyTarget(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Timeouts.Acceptance = time.Minute })
	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	_, err = h.deploy("registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	require.True(t, h.sim.SetHandler(r1.Live, http.NotFoundHandler()))
	r2 := h.liveVersion()
	_, err = h.service().SwitchLive(context.Background(), Previous)
	var se *swap.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, swap.StageAccept, se.Stage, "checked before the swap")
	assert.ErrorContains(t, err, "status 404, want 200")
	assert.ErrorContains(t, err, "live traffic on hello-1-1-0")
	assert.Equal(t, r2, h.liveVersion(), "live traffic untouched")

	only := newHarness(t, nil)
	_, err = only.service().SwitchLive(context.Background(), Previous)
	assert.ErrorContains(t, err, "rollback: no live environment (CNAME prefix hello is held by no environment)")
	r, err := only.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	_, err = only.service().SwitchLive(context.Background(), Previous)
	assert.ErrorIs(t, err, ErrNoRollbackTarget)
	_, err = only.service().SwitchLive(context.Background(), r.Live)
	assert.ErrorContains(t, err, r.Live+" is live already")
}

func TestConcurrentDeploysOfOneService(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)

	// Another deploy holds the lease.
	other := &lock.Locker{S3: NewClients(h.sim.Config()).S3, Bucket: "hello-docker", Key: lock.Key("hello"), Clock: h.clock, Owner: "alice@ci", TTL: time.Hour}
	lease, err := other.Acquire(context.Background(), "deploy registry.example.com/team/hello:2.0.0")
	require.NoError(t, err)

	calls := h.sim.Calls()
	_, err = h.deploy("registry.example.com/team/hello:1.1.0")
	var held *lock.HeldError
	require.ErrorAs(t, err, &held)
	assert.Contains(t, err.Error(), "is held by alice@ci")
	assert.Contains(t, err.Error(), "deploy registry.example.com/team/hello:2.0.0")
	assert.Equal(t, calls, h.sim.Calls(), "refused before touching Beanstalk")

	// Waiting: the holder finishes meanwhile.
	h.cfg.LockWait = 10 * time.Minute
	go func() {
		for h.clock.Now().Before(lease.Holder().Started.Add(2 * time.Minute)) {
			time.Sleep(time.Millisecond)
		}
		_ = lease.Release(context.Background())
	}()
	r, err := h.deploy("registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	assert.Equal(t, r.Version, h.liveVersion())
}

func TestExpiredLeaseIsTakenOver(t *testing.T) {
	h := newHarness(t, nil)
	crashed := &lock.Locker{S3: NewClients(h.sim.Config()).S3, Bucket: "hello-docker", Key: lock.Key("hello"), Clock: h.clock, Owner: "crashed@ci", TTL: 10 * time.Minute}
	_, err := crashed.Acquire(context.Background(), "deploy hello:0.9")
	require.NoError(t, err)
	h.clock.Advance(11 * time.Minute)
	_, err = h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	var warned bool
	for _, e := range h.rec.Events() {
		if w, ok := e.(progress.Warning); ok && strings.Contains(w.Message, "took over the expired deploy lock of crashed@ci") {
			warned = true
		}
	}
	assert.True(t, warned)
}

func TestNotifications(t *testing.T) {
	h := newHarness(t, nil)
	var got []notify.Outcome
	sub := notify.Func(func(_ context.Context, o notify.Outcome) error { got = append(got, o); return nil })
	for _, tag := range []string{"1.0.0", "1.1.0", "1.1.0"} {
		p := h.pipeline("registry.example.com/team/hello:" + tag)
		p.Notify = []notify.Notifier{sub, notify.Func(func(context.Context, notify.Outcome) error { return errors.New("pager down") })}
		_, err := p.Run(context.Background())
		require.NoError(t, err, "a failing subscriber does not fail the deploy")
	}
	require.Len(t, got, 3)
	assert.Equal(t, notify.Succeeded, got[0].Result)
	assert.Equal(t, got[0].Live, got[1].Previous)
	assert.Equal(t, notify.Unchanged, got[2].Result)
	assert.Equal(t, "hello", got[1].Service)
	assert.NotZero(t, got[1].Duration)
}

// TestTwoDeploysAtOnce runs two deploys of the service concurrently on a
// scaled clock: one wins the lease, the other is refused at once; asked to
// wait, it deploys after the first.
func TestTwoDeploysAtOnce(t *testing.T) {
	clk := beanstalktest.NewScaledClock(time.Time{}, 1200)
	sim := startSim(t, beanstalktest.Options{Clock: clk})
	h := newHarness(t, nil)
	run := func(image string, wait time.Duration) (*Report, error) {
		cfg := *h.cfg
		cfg.LockWait = wait
		p := h.service()
		p.Config, p.Clients, p.HTTPClient, p.Clock = &cfg, NewClients(sim.Config()), sim.HTTPClient(), clk
		pushImage(t, sim, image)
		return p.Deploy(context.Background(), image)
	}
	both := func(wait time.Duration) []error {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, tag := range []string{"2.0.0", "2.1.0"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = run("registry.example.com/team/hello:"+tag, wait)
			}()
		}
		wg.Wait()
		return errs
	}

	errs := both(0)
	var held *lock.HeldError
	switch {
	case errs[0] == nil:
		require.ErrorAs(t, errs[1], &held)
	case errs[1] == nil:
		require.ErrorAs(t, errs[0], &held)
	default:
		t.Fatalf("neither deploy won: %v / %v", errs[0], errs[1])
	}

	errs = both(time.Hour)
	assert.NoError(t, errs[0])
	assert.NoError(t, errs[1])
}
