package beanswap

import (
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/notify"
	"github.com/beanswap/beanswap/progress"
	"github.com/beanswap/beanswap/secret"
	"github.com/beanswap/beanswap/swap"
)

// Service is one service's blue/green operations, as its pym-config.yaml
// describes them: Deploy (and Plan, its dry run), SwitchLive (rollback,
// or a swap to a named environment), Prune (and PlanPrune) and Status.
// Each operation that changes anything holds the service's deploy lease
// (package lock) and publishes its outcome (package notify).
//
// Set Config and Clients; every other field has a default. A Service is
// not modified by its methods: share one between goroutines.
type Service struct {
	Config  *config.Config
	Clients Clients

	// Docker is the user's Docker configuration; nil loads it as the
	// docker CLI would (with DockerOptions), and only when the image's
	// registry needs credentials.
	Docker        *dockercfg.Store
	DockerOptions []dockercfg.Option
	// Acceptance tests a new environment before it takes traffic and the
	// live URL after a swap; nil builds them from Config
	// (AcceptanceFromConfig).
	Acceptance acceptance.Checker
	// HTTPClient reaches the environments for the acceptance checks, and
	// downloads their logs for a failure's diagnostics.
	HTTPClient *http.Client
	// CommandEnv adds entries to the acceptance command's environment.
	CommandEnv []string
	// ExpectedBucketOwner is the account that must own docker_bucket for
	// the registry auth upload; default docker_bucket_owner, else the
	// deploying account as STS tells it.
	ExpectedBucketOwner string
	// Clock times every wait; nil is the wall clock.
	Clock clock.Clock
	// Monitor polls Beanstalk; services deploying at once share one, and
	// the account's call budget with it. Nil is the process-wide one for
	// Clients.Beanstalk and Clock (beanstalk.SharedMonitor).
	Monitor *beanstalk.Monitor
	// Push, when set, has Deploy, Stage and Promote wake on the changes
	// Beanstalk pushes to EventBridge (through a rule and an SQS queue
	// made for the run, removed after it) instead of polling for them; polls go on,
	// sparsely, as a safety net. Without the permissions (events:PutRule,
	// sqs:CreateQueue, …) the deploy polls, and says so.
	Push bool
	// Soak is how long the new live environment is watched after a swap
	// before it is verified again; default the configuration's swap_soak.
	Soak     time.Duration
	Logger   *slog.Logger
	Observer progress.Observer
	// Notify receives outcomes, besides the SNS topic of
	// notify_sns_topic_arn.
	Notify []notify.Notifier
	// LockOwner names this process in the lease; default user@hostname.
	LockOwner string
}

// ErrIncomplete means a Service lacks a field it needs.
var ErrIncomplete = errors.New("beanswap: incomplete Service")

// check reports a missing field before anything happens.
func (s *Service) check(needS3 bool) error {
	switch {
	case s == nil || s.Config == nil:
		return errors.Join(ErrIncomplete, errors.New("Service.Config is nil"))
	case s.Clients.Beanstalk == nil:
		return errors.Join(ErrIncomplete, errors.New("Service.Clients.Beanstalk is nil"))
	case needS3 && s.Clients.S3 == nil:
		return errors.Join(ErrIncomplete, errors.New("Service.Clients.S3 is nil"))
	}
	return nil
}

// runtime is what every package runs with for one operation: one
// Monitor (the Service's, or the process-wide one), the clock, and the observers,
// behind a scrubber that keeps every secret the operation knows (the
// env_secrets values, and registry credentials once resolved) out of
// every event, log line and error it emits.
func (s *Service) runtime() (beanstalk.Runtime, *secret.Scrubber) {
	clk := clock.Or(s.Clock)
	m := s.Monitor
	if m == nil {
		m = beanstalk.SharedMonitor(s.Clients.Beanstalk, clk)
	}
	scrub := secret.NewScrubber(slices.Collect(maps.Values(s.Config.Secrets))...)
	rt := beanstalk.Runtime{Monitor: m, Clock: clk, Observer: progress.Scrubbed(s.Observer, scrub)}
	if s.Logger != nil {
		rt.Logger = slog.New(scrub.Handler(s.Logger.Handler()))
	}
	return rt, scrub
}

// records is the Route53 client when a zone is configured, else nil.
func (s *Service) records() swap.RecordsAPI {
	if s.Config.AWSZoneID == "" {
		return nil
	}
	return s.Clients.Route53
}

// deployer, swapper and pruner are the packages' entry points for this
// service, on one runtime.
func (s *Service) deployer(rt beanstalk.Runtime) beanstalk.Deployer {
	d := beanstalk.Deployer{EB: s.Clients.Beanstalk, AutoScaling: s.Clients.AutoScaling, HTTPClient: s.HTTPClient, Runtime: rt}
	if s.Clients.S3 != nil {
		d.S3 = s.Clients.S3
	}
	if r := s.records(); r != nil {
		d.Records = r
	}
	return d
}

func (s *Service) swapper(rt beanstalk.Runtime) swap.Swapper {
	return swap.Swapper{EB: s.Clients.Beanstalk, Route53: s.records(), Runtime: rt}
}

func (s *Service) pruner(rt beanstalk.Runtime) beanstalk.Pruner {
	p := beanstalk.Pruner{EB: s.Clients.Beanstalk, Runtime: rt}
	if r := s.records(); r != nil {
		p.Records = r
	}
	return p
}

// checker is the acceptance checks: the Service's, or the configuration's.
func (s *Service) checker(rt beanstalk.Runtime) acceptance.Checker {
	if s.Acceptance != nil {
		return s.Acceptance
	}
	return AcceptanceFromConfig(s.Config, AcceptanceOptions{HTTPClient: s.HTTPClient, Clock: rt.Clock, Observer: rt.Observer, CommandEnv: s.CommandEnv})
}

// swapInput is what every swap of this service shares; the caller adds
// the environments.
func (s *Service) swapInput(check acceptance.Checker) swap.Input {
	c := s.Config
	soak := s.Soak
	if soak <= 0 {
		soak = c.SwapSoak
	}
	return swap.Input{
		Application: c.Application,
		Check:       check,
		HTTPS:       c.CertARN != "",
		Soak:        soak,
		Timeout:     c.Timeouts.Swap,
		ZoneID:      c.AWSZoneID,
		Host:        c.LiveHost,
	}
}
