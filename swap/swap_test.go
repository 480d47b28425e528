package swap

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/progress"
)

// blueGreen is a simulator with two healthy environments: "hello-blue"
// live on hello.us-east-1.elasticbeanstalk.com and "hello-green" beside it.
type blueGreen struct {
	sim   *beanstalktest.Server
	clock *beanstalktest.ManualClock
	eb    *eb.Client
	mon   *beanstalk.Monitor
}

const liveCNAME = "hello.us-east-1.elasticbeanstalk.com"

func newBlueGreen(t *testing.T, green beanstalktest.Outcome) *blueGreen {
	t.Helper()
	clk := beanstalktest.NewManualClock(time.Time{})
	sim := beanstalktest.Start(t, beanstalktest.Options{Clock: clk, AllowMissingInstanceProfile: true})
	sim.ScriptEnvironment("hello-green", green)
	c := eb.NewFromConfig(sim.Config())
	ctx := context.Background()
	_, err := c.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String("hello")})
	require.NoError(t, err)
	for name, prefix := range map[string]string{"hello-blue": "hello", "hello-green": "hello-green"} {
		_, err := c.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String("hello"), EnvironmentName: aws.String(name), CNAMEPrefix: aws.String(prefix),
			SolutionStackName: aws.String("64bit Amazon Linux 2023 v4.13.1 running Docker")})
		require.NoError(t, err)
	}
	clk.Advance(6 * time.Minute)
	return &blueGreen{sim: sim, clock: clk, eb: c, mon: beanstalk.NewMonitor(c, beanstalk.MonitorOptions{Clock: clk})}
}

func (b *blueGreen) holder(t *testing.T) string {
	envs, err := b.mon.Environments(context.Background(), "hello")
	require.NoError(t, err)
	for _, e := range envs {
		if aws.ToString(e.CNAME) == liveCNAME {
			return aws.ToString(e.EnvironmentName)
		}
	}
	return ""
}

// pingCheck checks the live URL answers 200 on /ping.
func (b *blueGreen) pingCheck(observers ...progress.Observer) acceptance.Checker {
	h := &acceptance.HTTP{Checks: []acceptance.HTTPCheck{{Path: "/ping"}}, Client: b.sim.HTTPClient(), Clock: b.clock, Timeout: time.Minute}
	if len(observers) > 0 {
		h.Observer = observers[0]
	}
	return h
}

// flakySwap fails SwapEnvironmentCNAMEs calls whose number is in fail.
type flakySwap struct {
	SwapAPI
	mu    sync.Mutex
	n     int
	fail  map[int]error
	calls [][2]string
}

func (f *flakySwap) SwapEnvironmentCNAMEs(ctx context.Context, in *eb.SwapEnvironmentCNAMEsInput, o ...func(*eb.Options)) (*eb.SwapEnvironmentCNAMEsOutput, error) {
	f.mu.Lock()
	f.n++
	n := f.n
	f.calls = append(f.calls, [2]string{*in.SourceEnvironmentName, *in.DestinationEnvironmentName})
	f.mu.Unlock()
	if err := f.fail[n]; err != nil {
		return nil, err
	}
	return f.SwapAPI.SwapEnvironmentCNAMEs(ctx, in, o...)
}

func (b *blueGreen) swapper(eb SwapAPI, obs progress.Observer) Swapper {
	return Swapper{EB: eb, Runtime: beanstalk.Runtime{Monitor: b.mon, Observer: obs}}
}

// tags returns an environment's tags.
func (b *blueGreen) tags(t *testing.T, env string) map[string]string {
	e, err := b.mon.Environment(context.Background(), "hello", env)
	require.NoError(t, err)
	tags, err := b.mon.Tags(context.Background(), b.eb, aws.ToString(e.EnvironmentArn))
	require.NoError(t, err)
	return tags
}

func TestSwapVerified(t *testing.T) {
	b := newBlueGreen(t, beanstalktest.Outcome{})
	rec := &progress.Recorder{}
	res, err := b.swapper(b.eb, rec.Observe).Swap(context.Background(), Input{Application: "hello", Candidate: "hello-green", Live: "hello-blue", Check: b.pingCheck(rec.Observe)})
	require.NoError(t, err)
	assert.Equal(t, &Result{Live: "hello-green", Previous: "hello-blue", LiveCNAME: liveCNAME, Verified: 2}, res)
	assert.Equal(t, "hello-green", b.holder(t))
	var targets []string
	for _, e := range rec.Events() {
		if c, ok := e.(progress.CheckResult); ok && c.Passed {
			targets = append(targets, c.Target)
		}
	}
	assert.Equal(t, []string{"http://hello-green.us-east-1.elasticbeanstalk.com/ping", "http://" + liveCNAME + "/ping", "http://" + liveCNAME + "/ping"}, targets,
		"checked before the swap, verified right after it and after the soak")
	assert.NotEmpty(t, b.tags(t, "hello-green")[beanstalk.TagWentLive], "the swap marks the new live environment")
	assert.NotEmpty(t, b.tags(t, "hello-blue")[beanstalk.TagWentLive], "and the one it took the CNAME from, kept for rollback")

	// The retired environment's tags, read during the soak, are known
	// to the monitor as they are now: pruning reads them without a call.
	retired, err := b.mon.Environment(context.Background(), "hello", "hello-blue")
	require.NoError(t, err)
	b.sim.ResetCalls()
	tags, err := b.mon.TagsOf(context.Background(), b.eb, retired)
	require.NoError(t, err)
	assert.NotEmpty(t, tags[beanstalk.TagWentLive])
	assert.Zero(t, b.sim.Calls()["ListTagsForResource"])
}

func TestSwapTrustsAProofOfAcceptance(t *testing.T) {
	b := newBlueGreen(t, beanstalktest.Outcome{})
	ctx := context.Background()
	var checked []string
	check := acceptance.CheckerFunc(func(_ context.Context, tg acceptance.Target) error { checked = append(checked, tg.URL); return nil })
	passed, err := acceptance.Run(ctx, check, acceptance.Target{URL: "http://hello-green.us-east-1.elasticbeanstalk.com", Environment: "hello-green", Version: "v2"})
	require.NoError(t, err)
	checked = nil
	_, err = b.swapper(b.eb, nil).Swap(ctx, Input{Application: "hello", Candidate: "hello-green", Live: "hello-blue", Version: "v2", Check: check, Accepted: passed})
	require.NoError(t, err)
	assert.Equal(t, []string{"http://" + liveCNAME, "http://" + liveCNAME}, checked, "not checked again before the swap; verified after it")
}

func TestSwapChecksTheCandidateFirst(t *testing.T) {
	b := newBlueGreen(t, beanstalktest.Outcome{Handler: http.NotFoundHandler()})
	flaky := &flakySwap{SwapAPI: b.eb}
	_, err := b.swapper(flaky, nil).Swap(context.Background(), Input{Application: "hello", Candidate: "hello-green", Live: "hello-blue", Check: b.pingCheck()})
	var se *Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, StageAccept, se.Stage)
	assert.Equal(t, "hello-blue", se.Live)
	assert.ErrorIs(t, err, acceptance.ErrFailed)
	assert.Empty(t, flaky.calls, "no swap")
	assert.Equal(t, "hello-blue", b.holder(t))
}

func TestSwapBackWhenVerificationFails(t *testing.T) {
	b := newBlueGreen(t, beanstalktest.Outcome{DegradeAfterSwap: true})
	flaky := &flakySwap{SwapAPI: b.eb}
	_, err := b.swapper(flaky, nil).Swap(context.Background(), Input{Application: "hello", Candidate: "hello-green", Live: "hello-blue", Check: b.pingCheck()})
	var se *Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, StageVerify, se.Stage)
	assert.True(t, se.SwappedBack)
	assert.Equal(t, "hello-blue", se.Live)
	assert.Contains(t, err.Error(), "hello-green turned Red")
	assert.Equal(t, "hello-blue", b.holder(t), "traffic is back")
	assert.Equal(t, [][2]string{{"hello-green", "hello-blue"}, {"hello-blue", "hello-green"}}, flaky.calls)
	assert.Empty(t, b.tags(t, "hello-green")[beanstalk.TagWentLive], "a candidate swapped back is never marked live")
}

func TestSwapBackFails(t *testing.T) {
	b := newBlueGreen(t, beanstalktest.Outcome{Handler: http.NotFoundHandler()})
	ctx := context.Background()
	// The checks passed before (the handler broke since): the proof.
	passed, err := acceptance.Run(ctx, acceptance.CheckerFunc(func(context.Context, acceptance.Target) error { return nil }), acceptance.Target{Environment: "hello-green"})
	require.NoError(t, err)
	_, err = b.swapper(&flakySwap{SwapAPI: b.eb, fail: map[int]error{2: errors.New("simulated outage")}}, nil).Swap(ctx, Input{Application: "hello", Candidate: "hello-green", Live: "hello-blue", Check: b.pingCheck(), Accepted: passed})
	var se *Error
	require.ErrorAs(t, err, &se)
	assert.False(t, se.SwappedBack)
	assert.Error(t, se.SwapBackErr)
	assert.True(t, se.Uncertain())
	assert.Empty(t, se.Live)
	assert.Contains(t, err.Error(), "swapping back FAILED too")
	assert.Contains(t, err.Error(), "live traffic may be on either environment (hello-green or hello-blue)")
	assert.Contains(t, err.Error(), "status 404, want 200")
}

func TestSwapRefusals(t *testing.T) {
	ok := acceptance.CheckerFunc(func(context.Context, acceptance.Target) error { return nil })
	t.Run("candidate busy: waited for", func(t *testing.T) {
		b := newBlueGreen(t, beanstalktest.Outcome{})
		_, err := b.eb.UpdateEnvironment(context.Background(), &eb.UpdateEnvironmentInput{EnvironmentName: aws.String("hello-green"), Description: aws.String("busy")})
		require.NoError(t, err)
		res, err := b.swapper(b.eb, nil).Swap(context.Background(), Input{Application: "hello", Candidate: "hello-green", Live: "hello-blue", Check: ok})
		require.NoError(t, err, "an update in progress is waited for, not refused")
		assert.Equal(t, "hello-green", res.Live)
	})
	t.Run("candidate terminating", func(t *testing.T) {
		b := newBlueGreen(t, beanstalktest.Outcome{})
		_, err := b.eb.TerminateEnvironment(context.Background(), &eb.TerminateEnvironmentInput{EnvironmentName: aws.String("hello-green")})
		require.NoError(t, err)
		_, err = b.swapper(b.eb, nil).Swap(context.Background(), Input{Application: "hello", Candidate: "hello-green", Live: "hello-blue", Check: ok})
		assert.ErrorIs(t, err, ErrNotReady)
		assert.ErrorContains(t, err, "hello-green is Terminating")
		assert.Equal(t, "hello-blue", b.holder(t))
	})
	t.Run("candidate unhealthy", func(t *testing.T) {
		b := newBlueGreen(t, beanstalktest.Outcome{NeverHealthy: true})
		_, err := b.swapper(b.eb, nil).Swap(context.Background(), Input{Application: "hello", Candidate: "hello-green", Live: "hello-blue", Check: ok})
		assert.ErrorIs(t, err, ErrNotReady)
		assert.ErrorContains(t, err, "health is Grey")
	})
	t.Run("missing environment", func(t *testing.T) {
		b := newBlueGreen(t, beanstalktest.Outcome{})
		_, err := b.swapper(b.eb, nil).Swap(context.Background(), Input{Application: "hello", Candidate: "nope", Live: "hello-blue", Check: ok})
		assert.ErrorIs(t, err, beanstalk.ErrNotFound)
	})
	t.Run("swap call refused", func(t *testing.T) {
		b := newBlueGreen(t, beanstalktest.Outcome{})
		refusal := &smithy.GenericAPIError{Code: "InvalidParameterValue", Message: "simulated refusal"}
		_, err := b.swapper(&flakySwap{SwapAPI: b.eb, fail: map[int]error{1: refusal}}, nil).Swap(context.Background(), Input{Application: "hello", Candidate: "hello-green", Live: "hello-blue", Check: ok})
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.Equal(t, StageSwap, se.Stage)
		assert.False(t, se.Uncertain())
		assert.Contains(t, err.Error(), "simulated refusal; live traffic on hello-blue")
	})
	t.Run("swap call cut short", func(t *testing.T) {
		b := newBlueGreen(t, beanstalktest.Outcome{})
		_, err := b.swapper(&flakySwap{SwapAPI: b.eb, fail: map[int]error{1: errors.New("connection reset")}}, nil).Swap(context.Background(), Input{Application: "hello", Candidate: "hello-green", Live: "hello-blue", Check: ok})
		var se *Error
		require.ErrorAs(t, err, &se)
		assert.True(t, se.Uncertain(), "the call may have been carried out")
		assert.Contains(t, err.Error(), "live traffic may be on either environment (hello-green or hello-blue)")
	})
	t.Run("incomplete input or swapper", func(t *testing.T) {
		b := newBlueGreen(t, beanstalktest.Outcome{})
		_, err := Swapper{}.Swap(context.Background(), Input{Application: "hello", Candidate: "hello-green", Live: "hello-blue", Check: ok})
		assert.ErrorIs(t, err, beanstalk.ErrMissingClient, "a zero Swapper names what is missing")
		assert.ErrorContains(t, err, "Swapper.EB is nil")
		_, err = b.swapper(b.eb, nil).Swap(context.Background(), Input{Application: "hello", Candidate: "hello-green", Live: "hello-blue"})
		assert.ErrorIs(t, err, ErrInvalidInput)
		assert.ErrorContains(t, err, "Input.Check is nil")
		assert.Equal(t, "hello-blue", b.holder(t))
	})
}

// fakeRoute53 is a recording fake of the record calls.
type fakeRoute53 struct {
	records  []r53types.ResourceRecordSet
	changes  []*route53.ChangeResourceRecordSetsInput
	pending  int // GetChange answers PENDING this many times
	getErr   error
	getCalls int
}

func (f *fakeRoute53) ListResourceRecordSets(context.Context, *route53.ListResourceRecordSetsInput, ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error) {
	return &route53.ListResourceRecordSetsOutput{ResourceRecordSets: f.records}, nil
}

func (f *fakeRoute53) ChangeResourceRecordSets(_ context.Context, in *route53.ChangeResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	f.changes = append(f.changes, in)
	return &route53.ChangeResourceRecordSetsOutput{ChangeInfo: &r53types.ChangeInfo{Id: aws.String("/change/C1"), Status: r53types.ChangeStatusPending}}, nil
}

func (f *fakeRoute53) GetChange(context.Context, *route53.GetChangeInput, ...func(*route53.Options)) (*route53.GetChangeOutput, error) {
	f.getCalls++
	if f.getErr != nil {
		return nil, f.getErr
	}
	status := r53types.ChangeStatusInsync
	if f.getCalls <= f.pending {
		status = r53types.ChangeStatusPending
	}
	return &route53.GetChangeOutput{ChangeInfo: &r53types.ChangeInfo{Id: aws.String("/change/C1"), Status: status}}, nil
}

func TestPointRecord(t *testing.T) {
	cname := func(target string) r53types.ResourceRecordSet {
		return r53types.ResourceRecordSet{Name: aws.String("api.example.com."), Type: r53types.RRTypeCname, ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(target)}}}
	}
	tests := map[string]struct {
		r53     *fakeRoute53
		changed bool
		err     string
		warn    bool
	}{
		"creates":             {r53: &fakeRoute53{}, changed: true},
		"updates and waits":   {r53: &fakeRoute53{records: []r53types.ResourceRecordSet{cname("old.us-east-1.elasticbeanstalk.com")}, pending: 3}, changed: true},
		"already right":       {r53: &fakeRoute53{records: []r53types.ResourceRecordSet{cname("Hello.us-east-1.elasticbeanstalk.com.")}}},
		"alias left alone":    {r53: &fakeRoute53{records: []r53types.ResourceRecordSet{{Name: aws.String("api.example.com."), Type: r53types.RRTypeA, AliasTarget: &r53types.AliasTarget{DNSName: aws.String("x")}}}}, warn: true},
		"change status fails": {r53: &fakeRoute53{getErr: errors.New("AccessDenied")}, changed: true, err: "read change /change/C1 of api.example.com: AccessDenied"},
		"never in sync":       {r53: &fakeRoute53{pending: 1000}, changed: true, err: "still PENDING after 5m0s"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			clk := beanstalktest.NewManualClock(time.Time{})
			rec := &progress.Recorder{}
			s := Swapper{Route53: tc.r53, Runtime: beanstalk.Runtime{Clock: clk, Observer: rec.Observe}}
			changed, err := s.PointRecord(context.Background(), "Z1", "api.example.com", liveCNAME, "hello-green")
			assert.Equal(t, tc.changed, changed)
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
			} else {
				require.NoError(t, err)
			}
			if tc.changed {
				require.Len(t, tc.r53.changes, 1)
				rr := tc.r53.changes[0].ChangeBatch.Changes[0].ResourceRecordSet
				assert.Equal(t, r53types.ChangeActionUpsert, tc.r53.changes[0].ChangeBatch.Changes[0].Action)
				assert.Equal(t, "api.example.com.", *rr.Name)
				assert.Equal(t, liveCNAME, *rr.ResourceRecords[0].Value)
				assert.EqualValues(t, 60, *rr.TTL)
			} else {
				assert.Empty(t, tc.r53.changes)
			}
			warned := false
			for _, e := range rec.Events() {
				_, ok := e.(progress.Warning)
				warned = warned || ok
			}
			assert.Equal(t, tc.warn, warned)
		})
	}
}

// TestSwapLeavesACoupledDatabaseLive: the live environment owns its
// database; moving traffic to another environment would move it to
// another database. No path through Swap does that.
func TestSwapLeavesACoupledDatabaseLive(t *testing.T) {
	b := newBlueGreen(t, beanstalktest.Outcome{})
	_, err := b.eb.UpdateEnvironment(context.Background(), &eb.UpdateEnvironmentInput{EnvironmentName: aws.String("hello-blue"),
		OptionSettings: []ebtypes.ConfigurationOptionSetting{
			{Namespace: aws.String(beanstalk.NamespaceRDS), OptionName: aws.String("HasCoupledDatabase"), Value: aws.String("true")},
			{Namespace: aws.String(beanstalk.NamespaceRDS), OptionName: aws.String("DBEngine"), Value: aws.String("postgres")},
		}})
	require.NoError(t, err)
	b.clock.Advance(10 * time.Minute)

	_, err = b.swapper(b.eb, nil).Swap(context.Background(), Input{Application: "hello", Candidate: "hello-green", Live: "hello-blue", Check: b.pingCheck()})
	require.ErrorIs(t, err, beanstalk.ErrCoupledDatabase)
	var serr *Error
	require.ErrorAs(t, err, &serr)
	assert.False(t, serr.Swapped)
	assert.Equal(t, "hello-blue", serr.Live)
	assert.Equal(t, "hello-blue", b.holder(t))
	assert.Equal(t, 0, b.sim.CallCount("SwapEnvironmentCNAMEs"))
}
