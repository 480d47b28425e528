package push

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/beanswap/beanswap/internal/paging"
)

// Sweep removes the rules and queues of runs that did not close them (a
// crash, a kill): those named with Prefix whose TagExpires is past at
// now. Live subscriptions, unexpired, are left alone. It returns the
// names removed.
func Sweep(ctx context.Context, c Clients, now time.Time) (removed []string, err error) {
	var errs []error
	in := &eventbridge.ListRulesInput{NamePrefix: aws.String(Prefix)}
	rulePages := paging.Tokens{What: "list EventBridge rules " + Prefix + "*"}
	for {
		out, err := c.Events.ListRules(ctx, in)
		if err != nil {
			return removed, wrap("list EventBridge rules "+Prefix+"*", err)
		}
		for _, r := range out.Rules {
			tags, err := c.Events.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: r.Arn})
			if err != nil {
				errs = append(errs, fmt.Errorf("read the tags of rule %s: %w", aws.ToString(r.Name), err))
				continue
			}
			for _, t := range tags.Tags {
				if aws.ToString(t.Key) == TagExpires && expired(aws.ToString(t.Value), now) {
					if err := removeRule(ctx, c.Events, aws.ToString(r.Name)); err != nil {
						errs = append(errs, err)
					} else {
						removed = append(removed, "rule "+aws.ToString(r.Name))
					}
				}
			}
		}
		token, err := rulePages.Next(out.NextToken)
		if err != nil {
			return removed, errors.Join(append(errs, err)...)
		}
		if token == "" {
			break
		}
		in.NextToken = aws.String(token)
	}
	qin := &sqs.ListQueuesInput{QueueNamePrefix: aws.String(Prefix)}
	queuePages := paging.Tokens{What: "list queues " + Prefix + "*"}
	for {
		out, err := c.Queues.ListQueues(ctx, qin)
		if err != nil {
			return removed, errors.Join(append(errs, wrap("list queues "+Prefix+"*", err))...)
		}
		for _, url := range out.QueueUrls {
			tags, err := c.Queues.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
			if err != nil {
				errs = append(errs, fmt.Errorf("read the tags of queue %s: %w", url, err))
				continue
			}
			if expired(tags.Tags[TagExpires], now) {
				if _, err := c.Queues.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil && !notFound(err) {
					errs = append(errs, fmt.Errorf("delete queue %s: %w", url, err))
				} else {
					removed = append(removed, "queue "+url)
				}
			}
		}
		token, err := queuePages.Next(out.NextToken)
		if err != nil {
			return removed, errors.Join(append(errs, err)...)
		}
		if token == "" {
			break
		}
		qin.NextToken = aws.String(token)
	}
	return removed, errors.Join(errs...)
}

func expired(v string, now time.Time) bool {
	t, err := time.Parse(time.RFC3339, v)
	return err == nil && t.Before(now)
}
