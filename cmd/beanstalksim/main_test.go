package main

import (
	"bytes"
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer lets the test read what the command writes meanwhile.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSimCommandServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-scale", "600"}, &out, &errOut) }()

	var url string
	require.Eventually(t, func() bool {
		m := regexp.MustCompile(`AWS_ENDPOINT_URL=(http://127\.0\.0\.1:\d+)`).FindStringSubmatch(out.String())
		if m != nil {
			url = m[1]
		}
		return m != nil
	}, 5*time.Second, 10*time.Millisecond)

	client := eb.New(eb.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	_, err := client.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String("x")})
	require.NoError(t, err)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code)
	case <-time.After(5 * time.Second):
		t.Fatal("sim did not stop on cancel")
	}
	assert.Contains(t, out.String(), "simulator stopped")
}

func TestStrayArgumentsAreRefused(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), []string{"-scale", "60", "nope"}, &out, &errOut))
	assert.Contains(t, errOut.String(), `unexpected argument "nope"`)
	assert.Equal(t, 2, run(context.Background(), []string{"-nope"}, &out, &errOut))
	assert.Empty(t, out.String(), "nothing served")
}
