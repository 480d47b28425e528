package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/internal/awstest"
)

var sample = Outcome{Operation: OpDeploy, Service: "hello", Application: "hello", Version: "1.2-abc", Result: Succeeded,
	Live: "hello-1-2-abc", LiveCNAME: "hello.us-east-1.elasticbeanstalk.com", Previous: "hello-1-1-def",
	Started: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), Duration: 7 * time.Minute}

func TestAllJoinsErrors(t *testing.T) {
	var got []string
	boom := errors.New("boom")
	err := All{
		Func(func(_ context.Context, o Outcome) error { got = append(got, "a "+o.Result); return nil }),
		nil,
		Func(func(context.Context, Outcome) error { return boom }),
		Func(func(_ context.Context, o Outcome) error { got = append(got, "c"); return nil }),
	}.Notify(context.Background(), sample)
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, []string{"a succeeded", "c"}, got, "a failing subscriber does not silence the others")
	assert.Equal(t, "beanswap deploy of hello 1.2-abc succeeded", sample.Subject())
	long := sample
	long.Version = strings.Repeat("v", 200)
	assert.Len(t, long.Subject(), 99)
}

// TestSNSDeliversToSubscribers publishes through moto (or AWS_ENDPOINT_URL)
// to an HTTP subscriber on 127.0.0.1, as SNS would deliver it.
func TestSNSDeliversToSubscribers(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts moto_server")
	}
	ep := awstest.Start(t)
	if !ep.Moto {
		t.Skip("HTTP subscriptions to 127.0.0.1 only work with a local moto_server")
	}
	var mu sync.Mutex
	var messages []map[string]any
	sub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		if json.Unmarshal(b, &m) == nil && m["Type"] == "Notification" {
			mu.Lock()
			messages = append(messages, m)
			mu.Unlock()
		}
	}))
	defer sub.Close()
	client := sns.NewFromConfig(ep.Config())
	ctx := context.Background()
	topic, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(awstest.UniqueName("deploys"))})
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = client.DeleteTopic(context.Background(), &sns.DeleteTopicInput{TopicArn: topic.TopicArn})
	})
	_, err = client.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("http"), Endpoint: aws.String(sub.URL)})
	require.NoError(t, err)

	require.NoError(t, SNS{Client: client, TopicARN: *topic.TopicArn}.Notify(ctx, sample))
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(messages) == 1 }, 5*time.Second, 20*time.Millisecond)
	msg := messages[0]
	assert.Equal(t, "beanswap deploy of hello 1.2-abc succeeded", msg["Subject"])
	var got Outcome
	require.NoError(t, json.Unmarshal([]byte(msg["Message"].(string)), &got))
	assert.Equal(t, sample, got)

	err = SNS{Client: client, TopicARN: "arn:aws:sns:us-east-1:123456789012:nope"}.Notify(ctx, sample)
	assert.ErrorContains(t, err, "notify arn:aws:sns:us-east-1:123456789012:nope")
}
