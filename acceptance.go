package beanswap

import (
	"net/http"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/progress"
)

// AcceptanceOptions tune the checker built from a configuration.
type AcceptanceOptions struct {
	// HTTPClient sends the HTTP checks; nil is a client with a 10s timeout.
	HTTPClient *http.Client
	Clock      clock.Clock
	Observer   progress.Observer
	// CommandEnv adds KEY=VALUE entries to the acceptance command's
	// environment (HTTP_PROXY, to reach the simulator's environments).
	CommandEnv []string
}

// AcceptanceFromConfig builds the acceptance tests c describes: its HTTP
// checks, then its external command, each bounded by acceptance_timeout.
func AcceptanceFromConfig(c *config.Config, o AcceptanceOptions) acceptance.Checker {
	var all acceptance.All
	if len(c.AcceptanceChecks) > 0 {
		checks := make([]acceptance.HTTPCheck, len(c.AcceptanceChecks))
		for i, ch := range c.AcceptanceChecks {
			checks[i] = acceptance.HTTPCheck{
				Name: ch.Name, Method: ch.Method, Path: ch.Path, Status: ch.Status,
				BodyContains: ch.BodyContains, JSONField: ch.JSONField, Equals: ch.Equals,
			}
		}
		all = append(all, &acceptance.HTTP{Checks: checks, Client: o.HTTPClient, Timeout: c.Timeouts.Acceptance, Clock: o.Clock, Observer: o.Observer,
			Insecure: c.CertARN != ""}) // the environments' CNAMEs do not match the certificate
	}
	if len(c.AcceptanceCommand) > 0 {
		all = append(all, &acceptance.Command{Argv: c.AcceptanceCommand, Env: o.CommandEnv, Timeout: c.Timeouts.Acceptance, Clock: o.Clock, Observer: o.Observer})
	}
	return all
}
