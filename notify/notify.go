// Package notify publishes the outcome of each deploy, swap, rollback and
// prune: to an SNS topic as JSON, and to any Go function that subscribes.
//
//	n := notify.All{notify.SNS{Client: snsClient, TopicARN: arn}, notify.Func(func(ctx context.Context, o notify.Outcome) error { … })}
//	err := n.Notify(ctx, outcome)
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// Operations and results.
const (
	OpDeploy   = "deploy"
	OpSwap     = "swap"
	OpRollback = "rollback"
	OpPrune    = "prune"
	OpStage    = "stage"
	OpPromote  = "promote"

	Succeeded   = "succeeded"
	Failed      = "failed"
	SwappedBack = "swapped back"
	Unchanged   = "unchanged"
)

// Outcome is what happened, as subscribers receive it.
type Outcome struct {
	Operation   string   `json:"operation"`
	Service     string   `json:"service"`
	Application string   `json:"application"`
	Version     string   `json:"version,omitempty"`
	Image       string   `json:"image,omitempty"`
	Result      string   `json:"result"`
	Error       string   `json:"error,omitempty"`
	Live        string   `json:"live,omitempty"`
	LiveCNAME   string   `json:"live_cname,omitempty"`
	Environment string   `json:"environment,omitempty"`
	Previous    string   `json:"previous,omitempty"`
	Terminated  []string `json:"terminated,omitempty"`
	Deleted     []string `json:"deleted_versions,omitempty"`
	// Diagnostics say why a new environment failed: its events, health
	// causes and the end of its logs, as text.
	Diagnostics string        `json:"diagnostics,omitempty"`
	Started     time.Time     `json:"started"`
	Duration    time.Duration `json:"duration_ns"`
}

// Subject is a one-line summary, used as the SNS subject.
func (o Outcome) Subject() string {
	s := fmt.Sprintf("beanswap %s of %s %s", o.Operation, o.Service, o.Result)
	if o.Version != "" {
		s = fmt.Sprintf("beanswap %s of %s %s %s", o.Operation, o.Service, o.Version, o.Result)
	}
	if len(s) > 99 { // SNS subjects stop at 100 characters
		s = s[:99]
	}
	return s
}

// Notifier receives outcomes.
type Notifier interface {
	Notify(ctx context.Context, o Outcome) error
}

// Func adapts a function: how Go code subscribes.
type Func func(ctx context.Context, o Outcome) error

// Notify calls f.
func (f Func) Notify(ctx context.Context, o Outcome) error { return f(ctx, o) }

// All notifies every notifier and joins their errors: one failing does
// not keep the others from hearing.
type All []Notifier

// Notify implements Notifier.
func (a All) Notify(ctx context.Context, o Outcome) error {
	var errs []error
	for _, n := range a {
		if n != nil {
			errs = append(errs, n.Notify(ctx, o))
		}
	}
	return errors.Join(errs...)
}

// PublishAPI is the SNS call; *sns.Client satisfies it.
type PublishAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// SNS publishes outcomes to a topic, as JSON, with the operation, service
// and result as message attributes for subscription filters.
type SNS struct {
	Client   PublishAPI
	TopicARN string
}

// Notify implements Notifier.
func (s SNS) Notify(ctx context.Context, o Outcome) error {
	body, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("notify %s: %w", s.TopicARN, err)
	}
	attr := func(v string) snstypes.MessageAttributeValue {
		return snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	_, err = s.Client.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(s.TopicARN),
		Subject:  aws.String(o.Subject()),
		Message:  aws.String(string(body)),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"operation": attr(o.Operation), "service": attr(o.Service), "result": attr(o.Result),
		},
	})
	if err != nil {
		return fmt.Errorf("notify %s: %w", s.TopicARN, err)
	}
	return nil
}
