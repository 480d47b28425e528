package push

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/clock"
)

// EventsAPI is the EventBridge calls this package makes;
// *eventbridge.Client satisfies it.
type EventsAPI interface {
	PutRule(ctx context.Context, in *eventbridge.PutRuleInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error)
	PutTargets(ctx context.Context, in *eventbridge.PutTargetsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error)
	RemoveTargets(ctx context.Context, in *eventbridge.RemoveTargetsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.RemoveTargetsOutput, error)
	DeleteRule(ctx context.Context, in *eventbridge.DeleteRuleInput, optFns ...func(*eventbridge.Options)) (*eventbridge.DeleteRuleOutput, error)
	ListRules(ctx context.Context, in *eventbridge.ListRulesInput, optFns ...func(*eventbridge.Options)) (*eventbridge.ListRulesOutput, error)
	ListTagsForResource(ctx context.Context, in *eventbridge.ListTagsForResourceInput, optFns ...func(*eventbridge.Options)) (*eventbridge.ListTagsForResourceOutput, error)
}

// QueueAPI is the SQS calls this package makes; *sqs.Client satisfies it.
type QueueAPI interface {
	CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, optFns ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	SetQueueAttributes(ctx context.Context, in *sqs.SetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error)
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	DeleteQueue(ctx context.Context, in *sqs.DeleteQueueInput, optFns ...func(*sqs.Options)) (*sqs.DeleteQueueOutput, error)
	ListQueues(ctx context.Context, in *sqs.ListQueuesInput, optFns ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error)
	ListQueueTags(ctx context.Context, in *sqs.ListQueueTagsInput, optFns ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error)
}

// Clients are the AWS clients of one account and region.
type Clients struct {
	Events EventsAPI
	Queues QueueAPI
}

// ErrUnavailable means the account does not let this caller set push up (a
// missing permission): poll instead.
var ErrUnavailable = errors.New("push is unavailable")

const (
	// Prefix names every rule and queue this package makes.
	Prefix = "beanswap-watch-"
	// TagExpires holds when a rule or queue may be removed by anyone
	// (RFC 3339): a crashed run's leftovers go at the next Sweep.
	TagExpires = "beanswap:expires"
	targetID   = "beanswap-queue"
)

// Options tune a subscription. Zero values mean the defaults.
type Options struct {
	// Lifetime is how long the rule and queue are kept from a crashed run:
	// after it, Sweep removes them; default 6 hours. A run longer than
	// that should subscribe again.
	Lifetime time.Duration
	// WaitTime is the long poll of each receive, at most 20 s (default).
	WaitTime time.Duration
	// Clock dates the expiry; default the wall clock.
	Clock clock.Clock
	// Logger receives a line per skipped message; nil discards.
	Logger *slog.Logger
}

// Subscription is an EventBridge rule forwarding Beanstalk's events to an
// SQS queue: a beanstalk.Nudges.
type Subscription struct {
	c        Clients
	Name     string // of the rule and of the queue
	RuleARN  string
	QueueURL string
	QueueARN string
	wait     int32
	log      *slog.Logger
}

// Subscribe creates a rule for Elastic Beanstalk's events and a queue it
// sends them to, both tagged with their expiry. On failure it removes
// what it created. Close the subscription when done.
func Subscribe(ctx context.Context, c Clients, o Options) (s *Subscription, err error) {
	clk := clock.Or(o.Clock)
	if o.Lifetime <= 0 {
		o.Lifetime = 6 * time.Hour
	}
	if o.WaitTime <= 0 || o.WaitTime > 20*time.Second {
		o.WaitTime = 20 * time.Second
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	s = &Subscription{c: c, Name: Prefix + hex.EncodeToString(suffix[:]), wait: int32(o.WaitTime / time.Second), log: log}
	expires := clk.Now().Add(o.Lifetime).UTC().Format(time.RFC3339)
	defer func() {
		if err != nil {
			err = errors.Join(err, s.Close(context.WithoutCancel(ctx)))
			s = nil
		}
	}()

	q, err := c.Queues.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName: aws.String(s.Name),
		Tags:      map[string]string{TagExpires: expires},
		// Nudges older than a deploy's waits are of no use.
		Attributes: map[string]string{string(sqstypes.QueueAttributeNameMessageRetentionPeriod): strconv.Itoa(3600)},
	})
	if err != nil {
		return s, wrap("create queue "+s.Name, err)
	}
	s.QueueURL = aws.ToString(q.QueueUrl)
	attrs, err := c.Queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		return s, wrap("read the ARN of queue "+s.Name, err)
	}
	s.QueueARN = attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]

	pattern, _ := json.Marshal(map[string]any{"source": []string{Source}})
	rule, err := c.Events.PutRule(ctx, &eventbridge.PutRuleInput{
		Name:         aws.String(s.Name),
		EventPattern: aws.String(string(pattern)),
		State:        ebtypes.RuleStateEnabled,
		Description:  aws.String("beanswap: Elastic Beanstalk changes for waiting deploys; removed after " + expires),
		Tags:         []ebtypes.Tag{{Key: aws.String(TagExpires), Value: aws.String(expires)}},
	})
	if err != nil {
		return s, wrap("create EventBridge rule "+s.Name, err)
	}
	s.RuleARN = aws.ToString(rule.RuleArn)

	policy, _ := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid": "beanswap-watch", "Effect": "Allow",
			"Principal": map[string]string{"Service": "events.amazonaws.com"},
			"Action":    "sqs:SendMessage", "Resource": s.QueueARN,
			"Condition": map[string]any{"ArnEquals": map[string]string{"aws:SourceArn": s.RuleARN}},
		}},
	})
	if _, err := c.Queues.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q.QueueUrl,
		Attributes: map[string]string{string(sqstypes.QueueAttributeNamePolicy): string(policy)}}); err != nil {
		return s, wrap("let rule "+s.Name+" send to its queue", err)
	}
	t, err := c.Events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(s.Name),
		Targets: []ebtypes.Target{{Id: aws.String(targetID), Arn: aws.String(s.QueueARN)}}})
	if err != nil {
		return s, wrap("target queue "+s.Name+" from its rule", err)
	}
	if t.FailedEntryCount > 0 && len(t.FailedEntries) > 0 {
		f := t.FailedEntries[0]
		return s, fmt.Errorf("target queue %s from its rule: %s: %s", s.Name, aws.ToString(f.ErrorCode), aws.ToString(f.ErrorMessage))
	}
	return s, nil
}

// Next long-polls the queue and returns the nudges it received (none
// when the poll times out), deleting the messages.
func (s *Subscription) Next(ctx context.Context) ([]beanstalk.Nudge, error) {
	out, err := s.c.Queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(s.QueueURL),
		MaxNumberOfMessages: 10, WaitTimeSeconds: s.wait})
	if err != nil {
		return nil, fmt.Errorf("receive from queue %s: %w", s.Name, err)
	}
	var nudges []beanstalk.Nudge
	var done []sqstypes.DeleteMessageBatchRequestEntry
	for i, m := range out.Messages {
		done = append(done, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		n, ok, err := ParseEvent([]byte(aws.ToString(m.Body)))
		if err != nil {
			s.log.Debug("skipping a message that is not an event", "queue", s.Name, "err", err)
			continue
		}
		if ok {
			nudges = append(nudges, n)
		}
	}
	if len(done) > 0 {
		// A failed delete only brings the nudge back, harmlessly.
		_, _ = s.c.Queues.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(s.QueueURL), Entries: done})
	}
	return nudges, nil
}

// Close removes the rule (its target first) and the queue.
func (s *Subscription) Close(ctx context.Context) error {
	var errs []error
	if s.RuleARN != "" {
		errs = append(errs, removeRule(ctx, s.c.Events, s.Name))
	}
	if s.QueueURL != "" {
		if _, err := s.c.Queues.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(s.QueueURL)}); err != nil && !notFound(err) {
			errs = append(errs, fmt.Errorf("delete queue %s: %w", s.Name, err))
		}
	}
	return errors.Join(errs...)
}

func removeRule(ctx context.Context, c EventsAPI, name string) error {
	if _, err := c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(name), Ids: []string{targetID}}); err != nil && !notFound(err) {
		return fmt.Errorf("remove the target of rule %s: %w", name, err)
	}
	if _, err := c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String(name)}); err != nil && !notFound(err) {
		return fmt.Errorf("delete rule %s: %w", name, err)
	}
	return nil
}

// wrap names what failed, and marks a refused permission ErrUnavailable.
func wrap(what string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "UnrecognizedClientException":
			return fmt.Errorf("%s: %w: %w", what, ErrUnavailable, err)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

func notFound(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "ResourceNotFoundException", "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist":
			return true
		}
	}
	return false
}
