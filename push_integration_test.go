package beanswap

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/internal/awstest"
	"github.com/beanswap/beanswap/progress"
	"github.com/beanswap/beanswap/push"
)

// pushAccount is a simulator whose Beanstalk publishes its changes to the
// EventBridge of an emulator (moto, or AWS_ENDPOINT_URL), whose SQS the
// deploys read them from.
type pushAccount struct {
	sim       *beanstalktest.Server
	clk       *beanstalktest.ScaledClock
	clients   Clients
	rec       *progress.Recorder
	t         *testing.T
	events    *eventbridge.Client
	queues    *sqs.Client
	published atomic.Int32
	nudges    atomic.Int32
}

func newPushAccount(t *testing.T) *pushAccount {
	ep := awstest.Start(t)
	if ep.Real {
		t.Skip("the simulator cannot publish as aws.elasticbeanstalk into a real account")
	}
	cfg := ep.Config()
	a := &pushAccount{t: t, events: eventbridge.NewFromConfig(cfg), queues: sqs.NewFromConfig(cfg), rec: &progress.Recorder{}}
	a.clk = beanstalktest.NewScaledClock(time.Time{}, 60) // a launch in 5 s
	a.sim = startSim(t, beanstalktest.Options{Clock: a.clk, Publish: func(e beanstalktest.PushedEvent) {
		detail, _ := json.Marshal(e.Detail)
		out, err := a.events.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
			Source: aws.String(beanstalktest.PushedSource), DetailType: aws.String(e.DetailType),
			Detail: aws.String(string(detail)), Resources: e.Resources,
		}}})
		if err == nil && out.FailedEntryCount == 0 {
			a.published.Add(1)
		}
	}})
	a.clients = NewClients(a.sim.Config())
	a.clients.EventBridge, a.clients.SQS = a.events, countingQueue{a.queues, &a.nudges}
	return a
}

// service is the service deployed, with push on.
func (a *pushAccount) service() *Service {
	return &Service{Config: parseConfig(a.t, testConfig), Clients: a.clients, Docker: testDocker(a.t),
		HTTPClient: a.sim.HTTPClient(), Clock: a.clk, Observer: a.rec.Observe, Push: true}
}

// deploy deploys image with push on.
func (a *pushAccount) deploy(image string) error {
	pushImage(a.t, a.sim, image)
	_, err := a.service().Deploy(context.Background(), image)
	return err
}

func (a *pushAccount) saw(match func(progress.Event) bool) bool {
	for _, e := range a.rec.Events() {
		if match(e) {
			return true
		}
	}
	return false
}

// countingQueue counts the messages the deploys received.
type countingQueue struct {
	push.QueueAPI
	n *atomic.Int32
}

func (q countingQueue) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, o ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	out, err := q.QueueAPI.ReceiveMessage(ctx, in, o...)
	if err == nil {
		q.n.Add(int32(len(out.Messages)))
	}
	return out, err
}

func (a *pushAccount) leftovers(t *testing.T) []string {
	var left []string
	rules, err := a.events.ListRules(context.Background(), &eventbridge.ListRulesInput{NamePrefix: aws.String(push.Prefix)})
	require.NoError(t, err)
	for _, r := range rules.Rules {
		left = append(left, "rule "+aws.ToString(r.Name))
	}
	queues, err := a.queues.ListQueues(context.Background(), &sqs.ListQueuesInput{QueueNamePrefix: aws.String(push.Prefix)})
	require.NoError(t, err)
	for _, u := range queues.QueueUrls {
		left = append(left, "queue "+u)
	}
	return left
}

// TestPushEndToEnd: Beanstalk's changes go through an EventBridge rule to
// an SQS queue that the deploy made; the deploys (a first one, then a
// blue/green swap that also prunes) wake on them, and leave no rule or
// queue behind.
func TestPushEndToEnd(t *testing.T) {
	a := newPushAccount(t)
	for _, v := range []string{"1.0.0", "1.1.0"} {
		require.NoError(t, a.deploy("registry.example.com/team/hello:"+v))
	}
	t.Logf("%d events published, %d received; Describe-group calls: %v", a.published.Load(), a.nudges.Load(), a.sim.Calls())
	assert.Positive(t, a.published.Load(), "the simulator published its changes")
	assert.Positive(t, a.nudges.Load(), "the deploys received them from their queues")
	assert.True(t, a.saw(func(e progress.Event) bool {
		i, ok := e.(progress.Info)
		return ok && strings.HasPrefix(i.Message, "push: watching Beanstalk's events")
	}))
	assert.Empty(t, a.leftovers(t), "rule and queue removed")
}

// TestPushServesPromote: promoting a staged environment (a swap, then
// pruning) wakes on pushed changes as a deploy does, and leaves no rule
// or queue behind.
func TestPushServesPromote(t *testing.T) {
	a := newPushAccount(t)
	require.NoError(t, a.deploy("registry.example.com/team/hello:1.0.0"))
	pushImage(t, a.sim, "registry.example.com/team/hello:1.1.0")
	_, err := a.service().Stage(context.Background(), "registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	a.rec = &progress.Recorder{}
	s := a.service()
	before := a.nudges.Load()
	r, err := s.Promote(context.Background())
	require.NoError(t, err)
	assert.True(t, r.Promoted)
	assert.True(t, a.saw(func(e progress.Event) bool {
		i, ok := e.(progress.Info)
		return ok && strings.HasPrefix(i.Message, "push: watching Beanstalk's events")
	}), "the promotion subscribed")
	assert.Greater(t, a.nudges.Load(), before, "the promotion received pushed changes")
	assert.Empty(t, a.leftovers(t), "rule and queue removed")
}

// deniedEvents refuses PutRule, as an account without events:PutRule does.
type deniedEvents struct{ push.EventsAPI }

func (deniedEvents) PutRule(context.Context, *eventbridge.PutRuleInput, ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User is not authorized to perform: events:PutRule"}
}

// TestPushWithoutPermissionPolls: without the permission to make the
// rule, the deploy says so, removes the queue it had made, and polls.
func TestPushWithoutPermissionPolls(t *testing.T) {
	a := newPushAccount(t)
	a.clients.EventBridge = deniedEvents{a.events}
	require.NoError(t, a.deploy("registry.example.com/team/hello:1.0.0"))
	assert.True(t, a.saw(func(e progress.Event) bool {
		w, ok := e.(progress.Warning)
		return ok && strings.Contains(w.Message, "polling instead") && strings.Contains(w.Message, "events:PutRule")
	}))
	assert.Empty(t, a.leftovers(t), "the queue made before the refusal is removed")
}

// TestSweepRemovesWhatACrashLeft: a run killed after subscribing leaves a
// rule and a queue; once expired, the next sweep removes them, and a live
// subscription's are left alone.
func TestSweepRemovesWhatACrashLeft(t *testing.T) {
	a := newPushAccount(t)
	ctx := context.Background()
	c := push.Clients{Events: a.events, Queues: a.queues}
	crashed, err := push.Subscribe(ctx, c, push.Options{Lifetime: time.Minute})
	require.NoError(t, err)
	live, err := push.Subscribe(ctx, c, push.Options{Lifetime: 3 * time.Hour})
	require.NoError(t, err)

	removed, err := push.Sweep(ctx, c, time.Now().Add(time.Hour))
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"rule " + crashed.Name, "queue " + crashed.QueueURL}, removed)
	assert.ElementsMatch(t, []string{"rule " + live.Name, "queue " + live.QueueURL}, a.leftovers(t))
	require.NoError(t, live.Close(ctx))
	assert.Empty(t, a.leftovers(t))
	assert.False(t, errors.Is(err, push.ErrUnavailable))
}
