package acceptance_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/beanswap/beanswap/acceptance"
)

// HTTP checks retry until the new environment answers as expected; a
// check of the deployed version guards against a swap to the wrong build.
func ExampleHTTP() {
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ping":
			fmt.Fprint(w, "pong")
		case "/version":
			fmt.Fprint(w, `{"build": {"version": "1.4.2-3f9a0c1b"}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer service.Close()

	checks := &acceptance.HTTP{Checks: []acceptance.HTTPCheck{
		{Name: "ping", Path: "/ping", BodyContains: "pong"},
		{Name: "version", Path: "/version", JSONField: "build.version", Equals: "{version}"},
	}}
	target := acceptance.Target{URL: service.URL, Environment: "hello-1-4-2", Version: "1.4.2-3f9a0c1b"}
	fmt.Println("new version:", checks.Check(context.Background(), target))

	target.Version = "1.4.3-77aa01c2"
	checks.Timeout = time.Millisecond // a single attempt, for the example
	err := checks.Check(context.Background(), target)
	fmt.Println("wrong build fails:", errors.Is(err, acceptance.ErrFailed))
	// Output:
	// new version: <nil>
	// wrong build fails: true
}

// Any function can be a Checker; All runs several and stops at the first
// failure.
func ExampleCheckerFunc() {
	smoke := acceptance.CheckerFunc(func(ctx context.Context, t acceptance.Target) error {
		fmt.Println("smoke test against", t.Host(), "port", t.Port())
		return nil
	})
	suite := &acceptance.Command{Argv: []string{"true"}} // pymtest, go test, …: pass by exit code
	err := acceptance.All{smoke, suite}.Check(context.Background(), acceptance.Target{URL: "https://hello-1-4-2.us-east-1.elasticbeanstalk.com"})
	fmt.Println(err)
	// Output:
	// smoke test against hello-1-4-2.us-east-1.elasticbeanstalk.com port 443
	// <nil>
}
