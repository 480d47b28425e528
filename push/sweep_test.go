package push

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pagedRules lists no rules, on pages whose tokens are tokens, in turn.
type pagedRules struct {
	EventsAPI
	tokens []string
	calls  int
}

func (p *pagedRules) ListRules(_ context.Context, _ *eventbridge.ListRulesInput, _ ...func(*eventbridge.Options)) (*eventbridge.ListRulesOutput, error) {
	p.calls++
	if p.calls > len(p.tokens) {
		return &eventbridge.ListRulesOutput{}, nil
	}
	return &eventbridge.ListRulesOutput{NextToken: aws.String(p.tokens[p.calls-1])}, nil
}

// pagedQueues lists no queues, on pages whose tokens are tokens, in turn.
type pagedQueues struct {
	QueueAPI
	tokens []string
	calls  int
}

func (p *pagedQueues) ListQueues(_ context.Context, _ *sqs.ListQueuesInput, _ ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error) {
	p.calls++
	if p.calls > len(p.tokens) {
		return &sqs.ListQueuesOutput{}, nil
	}
	return &sqs.ListQueuesOutput{NextToken: aws.String(p.tokens[p.calls-1])}, nil
}

// A server handing back a page token twice would keep Sweep, which runs
// on the deploy's context, listing forever at the start of a deploy.
func TestSweepStopsOnARepeatedPageToken(t *testing.T) {
	for _, tc := range []struct {
		name                string
		rules, queues       []string
		wantErr             string
		wantRule, wantQueue int // listing calls made
	}{
		{name: "pages end", rules: []string{"r1", "r2"}, queues: []string{"q1"}, wantRule: 3, wantQueue: 2},
		{name: "a rule token repeats", rules: []string{"r1", "r2", "r1", "r2"},
			wantErr: `list EventBridge rules beanswap-watch-*: the server returned the page token "r1" twice`, wantRule: 3},
		{name: "a queue token repeats", queues: []string{"q1", "q1"},
			wantErr: `list queues beanswap-watch-*: the server returned the page token "q1" twice`, wantRule: 1, wantQueue: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rules, queues := &pagedRules{tokens: tc.rules}, &pagedQueues{tokens: tc.queues}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			removed, err := Sweep(ctx, Clients{Events: rules, Queues: queues}, time.Now())
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Empty(t, removed)
			assert.Equal(t, tc.wantRule, rules.calls, "rule listings")
			assert.Equal(t, tc.wantQueue, queues.calls, "queue listings")
		})
	}
}
