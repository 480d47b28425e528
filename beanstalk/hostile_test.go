package beanstalk

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"

	"github.com/beanswap/beanswap/beanstalktest"
)

const envXML = `<DescribeEnvironmentsResponse xmlns="https://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"><DescribeEnvironmentsResult><Environments><member>` +
	`<EnvironmentName>e</EnvironmentName><EnvironmentArn>arn:e</EnvironmentArn><Status>%s</Status><Health>%s</Health><CNAME>hello.us-east-1.elasticbeanstalk.com</CNAME><DateCreated>2026-01-05T09:00:00Z</DateCreated>` +
	`</member></Environments></DescribeEnvironmentsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeEnvironmentsResponse>`

// FuzzHostileResponses answers every Beanstalk call with whatever the
// fuzzer makes — truncated XML, huge bodies, wrong types, unknown statuses
// and health values — and requires a wait, an inventory and a plan to
// end with an answer or an error: never a panic, never a hang.
func FuzzHostileResponses(f *testing.F) {
	f.Add(200, []byte(strings.Replace(strings.Replace(envXML, "%s", "Exploding", 1), "%s", "Purple", 1)))
	f.Add(200, []byte(strings.Replace(strings.Replace(envXML, "%s", "Ready", 1), "%s", "Green", 1)))
	f.Add(200, []byte(envXML[:len(envXML)/2]))
	f.Add(200, []byte("<DescribeEnvironmentsResponse><DescribeEnvironmentsResult><Environments><member><DateCreated>yesterday</DateCreated></member>"))
	f.Add(400, []byte(`<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>`))
	f.Add(500, []byte("<html>Internal Server Error</html>"))
	f.Add(200, []byte(strings.Repeat("<member>", 5000)))
	f.Add(200, []byte{})
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 200 || status > 599 {
			status = 200 // 1xx are not final answers: 101 would hijack the connection
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}))
		defer func() {
			srv.CloseClientConnections()
			srv.Close()
		}()
		transport := &http.Transport{}
		defer transport.CloseIdleConnections()
		client := eb.New(eb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
			HTTPClient:  &http.Client{Transport: transport, Timeout: 5 * time.Second},
			Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
		clk := beanstalktest.NewManualClock(time.Time{})
		m := NewMonitor(client, MonitorOptions{Clock: clk, Retries: 1})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = m.WaitHealthy(ctx, "app", "e", WaitOptions{Timeout: time.Minute})
			_, _ = m.Inventory(ctx, client, "hello", "app", LiveSpec{CNAMEPrefix: "hello"}, nil)
			_, _ = Deployer{EB: client, Runtime: Runtime{Monitor: m}}.Plan(ctx, Spec{Service: "hello", Environment: EnvironmentSettings{InstanceProfile: "p"}}, Release{Image: "a/b:1", Bundle: []byte("z")})
		}()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Fatal("hangs on a hostile answer")
		}
	})
}
