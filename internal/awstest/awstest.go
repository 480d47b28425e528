// Package awstest gives integration tests an AWS endpoint: the one named
// by AWS_ENDPOINT_URL (LocalStack on a laptop, say), a real account when
// BEANSWAP_TEST_AWS=real asks for one explicitly, or else a moto_server it
// starts on a free 127.0.0.1 port and stops when the test ends.
//
// Without any, tests skip with the reason; under CI=true a missing
// moto_server fails them instead, because CI must run them.
package awstest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// RealEnv is the variable that points the integration tests at the real
// account of the default credential chain (AWS_PROFILE, AWS_REGION, …).
// They create and delete S3 buckets, SNS topics and Route53 zones there,
// so it is never the default.
const RealEnv = "BEANSWAP_TEST_AWS"

// Endpoint is an AWS-compatible endpoint for tests.
type Endpoint struct {
	// URL is the endpoint's address; empty for the real AWS.
	URL string
	// Moto is true when the endpoint is a moto_server started for the test.
	Moto bool
	// Real is true for a real AWS account (BEANSWAP_TEST_AWS=real).
	Real bool

	real aws.Config
}

// Start returns the real account when BEANSWAP_TEST_AWS=real, the
// endpoint of AWS_ENDPOINT_URL when set and reachable, else starts
// moto_server for the duration of the test.
func Start(t testing.TB) *Endpoint {
	t.Helper()
	if v := os.Getenv(RealEnv); v != "" {
		if v != "real" {
			t.Fatalf("%s=%q: the only value is \"real\"", RealEnv, v)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err == nil {
			_, err = cfg.Credentials.Retrieve(ctx)
		}
		if err != nil {
			t.Fatalf("%s=real, but no AWS credentials: %v", RealEnv, err)
		}
		if cfg.Region == "" {
			cfg.Region = "us-east-1"
		}
		return &Endpoint{Real: true, real: cfg}
	}
	if u := os.Getenv("AWS_ENDPOINT_URL"); u != "" {
		if err := reachable(u); err != nil {
			t.Skipf("AWS_ENDPOINT_URL=%s is not reachable: %v", u, err)
		}
		return &Endpoint{URL: u}
	}
	return StartMoto(t)
}

// StartMoto starts moto_server (or python3 -m moto.server) on a free
// loopback port and stops it when t ends.
func StartMoto(t testing.TB) *Endpoint {
	t.Helper()
	argv := motoCommand()
	if argv == nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("moto_server is not installed, and CI requires the moto integration tests (pip install 'moto[server]==5.2.1')")
		}
		t.Skip("moto_server is not installed (pip install 'moto[server]==5.2.1'); set AWS_ENDPOINT_URL to use another endpoint")
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("find a free port for moto: %v", err)
	}
	argv = append(argv, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", argv, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	u := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := reachable(u); err == nil {
			return &Endpoint{URL: u, Moto: true}
		}
		select {
		case <-done:
			t.Fatalf("moto_server exited before serving: %s", out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not serve %s within 30s: %s", u, out.String())
		}
	}
}

// Config returns an aws.Config for the endpoint: static test credentials
// for moto, the environment's (when set) for another endpoint, the default
// chain's for the real AWS.
func (e *Endpoint) Config() aws.Config {
	if e.Real {
		return e.real.Copy()
	}
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(e.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		HTTPClient:   &http.Client{Timeout: 30 * time.Second},
	}
	if r := os.Getenv("AWS_REGION"); r != "" && !e.Moto {
		cfg.Region = r
	}
	if id, key := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"); id != "" && key != "" && !e.Moto {
		cfg.Credentials = credentials.NewStaticCredentialsProvider(id, key, os.Getenv("AWS_SESSION_TOKEN"))
	}
	return cfg
}

// UniqueName returns a name unlikely to collide with another run's, for
// resources on shared endpoints.
func UniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1_000_000_000)
}

func motoCommand() []string {
	if p, err := exec.LookPath("moto_server"); err == nil {
		return []string{p}
	}
	if p, err := exec.LookPath("python3"); err == nil {
		if exec.Command(p, "-c", "import moto.server").Run() == nil {
			return []string{p, "-m", "moto.server"}
		}
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func reachable(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	host := net.JoinHostPort(u.Hostname(), port)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return err
	}
	return c.Close()
}
