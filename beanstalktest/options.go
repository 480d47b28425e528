package beanstalktest

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"net/http"
	"time"
)

// Options configure a Server. Every zero value means the documented default.
type Options struct {
	// Addr is the listen address; default "127.0.0.1:0" (a free port).
	Addr string
	// Region is the simulated region; default "us-east-1".
	Region string
	// AccountID is the simulated account; default "123456789012".
	AccountID string
	// Clock drives the lifecycle; default NewScaledClock(time.Time{}, 1),
	// real time.
	Clock Clock
	// Timing sets how long lifecycle operations take on Clock.
	Timing Timing
	// Quotas are the account limits.
	Quotas Quotas
	// Faults injects throttling and failures.
	Faults Faults
	// Seed makes identifiers and random faults repeatable; default 1.
	Seed int64
	// AllowMissingInstanceProfile accepts CreateEnvironment without
	// aws:autoscaling:launchconfiguration/IamInstanceProfile, which AWS
	// rejects.
	AllowMissingInstanceProfile bool
	// InProcess makes HTTPClient and Config serve every request in
	// process (Server.RoundTrip), for benchmarks on a VirtualClock.
	InProcess bool
	// InstanceProfiles are the IAM instance profiles that exist (IAM's
	// GetInstanceProfile finds them; a launch with another fails, as on
	// AWS); default aws-elasticbeanstalk-ec2-role.
	InstanceProfiles []string
	// Logger receives one line per request at debug level; nil discards.
	Logger *slog.Logger
	// Publish, when set, receives the events Beanstalk sends to
	// EventBridge (status and health changes, failures) as they happen:
	// steps are then applied when due, not only when a request looks.
	// It is called from one goroutine at a time, in order; it must not
	// call the simulator back.
	Publish func(PushedEvent)
}

// Timing is how long operations take, in the Clock's time.
type Timing struct {
	// Launch is CreateEnvironment until Ready; default 5m.
	Launch time.Duration
	// Health is Ready until health turns Green/Ok; default 30s.
	Health time.Duration
	// Update is an UpdateEnvironment; default 2m.
	Update time.Duration
	// Swap is a SwapEnvironmentCNAMEs until both are Ready; default 40s.
	Swap time.Duration
	// Terminate is Terminating until Terminated; default 3m.
	Terminate time.Duration
	// DeletedVisible is how long a terminated environment stays listed; default 1h.
	DeletedVisible time.Duration
	// Visibility is how long a new environment stays out of
	// DescribeEnvironments after CreateEnvironment returned (AWS's control
	// plane is eventually consistent); default 5s, negative for none.
	Visibility time.Duration
	// TagUpdate is how long an environment stays Updating after its tags
	// change (Beanstalk applies tags with an environment update); default
	// 30s, negative for none.
	TagUpdate time.Duration
	// Info is how long after RequestEnvironmentInfo the instances' logs
	// can be retrieved; default 15s.
	Info time.Duration
	// Jitter randomises each operation's duration (launch, health,
	// update, tag update, swap, termination) by up to this fraction
	// either way, from the seeded source: 0.1 is ±10 %. Default 0.
	Jitter float64
}

// Quotas are account limits.
type Quotas struct {
	// ApplicationVersions across all applications; default 1000.
	ApplicationVersions int
	// Environments not terminated; default 200.
	Environments int
	// Applications; default 75.
	Applications int
}

// Faults make the simulator misbehave the way AWS does on a bad day. All
// rates are probabilities between 0 and 1 per request.
type Faults struct {
	// DisableThrottling turns the token bucket off.
	DisableThrottling bool
	// ThrottleRate is the bucket's refill, in calls per second of Clock
	// time; default 2.
	ThrottleRate float64
	// ThrottleBurst is the bucket's size; default 15.
	ThrottleBurst int
	// ThrottledActions share the bucket; default DescribeEnvironments,
	// DescribeEvents and ListTagsForResource.
	ThrottledActions []string
	// ErrorRate answers that share of Beanstalk requests with HTTP 500
	// InternalFailure or 503 ServiceUnavailable.
	ErrorRate float64
	// SlowRate delays that share of Beanstalk requests by SlowDelay of
	// wall-clock time.
	SlowRate  float64
	SlowDelay time.Duration
	// DropRate closes the connection of that share of Beanstalk requests
	// without an answer.
	DropRate float64
}

// Outcome scripts what happens to an environment: how its launch goes,
// when it turns healthy, what its instances answer.
type Outcome struct {
	// FailLaunch ends the launch (or an update to this version) with
	// errors: ERROR events, Health Red, HealthStatus Severe.
	FailLaunch bool
	// FailureReason is the ERROR event explaining the failure; default a
	// failed image pull.
	FailureReason string
	// LaunchDuration overrides Timing.Launch.
	LaunchDuration time.Duration
	// HealthyAfter overrides Timing.Health: how long after Ready the
	// environment turns Green.
	HealthyAfter time.Duration
	// NeverHealthy leaves health Grey/Pending (or ReadyHealth) after Ready.
	NeverHealthy bool
	// ReadyHealth is the health between Ready and Green (a fresh
	// environment warming up): default Grey; Yellow or Red model
	// instances failing their first health checks.
	ReadyHealth types.EnvironmentHealth
	// DegradeAfterSwap turns health Red and makes the instances answer
	// 503 shortly after a CNAME swap completes.
	DegradeAfterSwap bool
	// SwapDelay makes a CNAME swap this environment takes part in last
	// that much longer than Timing.Swap (a swap that seems to hang).
	SwapDelay time.Duration
	// Handler serves the environment's HTTP traffic; default an app
	// answering /ping and /version (with the version label).
	Handler http.Handler
	// ContainerLog is what the container prints (its stdout and stderr,
	// as the instances' logs show them); default a line saying it
	// listens.
	ContainerLog []string
}

func (o *Options) withDefaults() {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.AccountID == "" {
		o.AccountID = "123456789012"
	}
	if o.Clock == nil {
		o.Clock = NewScaledClock(time.Time{}, 1)
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.InstanceProfiles == nil {
		o.InstanceProfiles = []string{"aws-elasticbeanstalk-ec2-role"}
	}
	t := &o.Timing
	setDefault(&t.Launch, 5*time.Minute)
	setDefault(&t.Health, 30*time.Second)
	setDefault(&t.Update, 2*time.Minute)
	setDefault(&t.Swap, 40*time.Second)
	setDefault(&t.Terminate, 3*time.Minute)
	setDefault(&t.DeletedVisible, time.Hour)
	setDefault(&t.Visibility, 5*time.Second)
	setDefault(&t.TagUpdate, 30*time.Second)
	setDefault(&t.Info, 15*time.Second)
	q := &o.Quotas
	if q.ApplicationVersions == 0 {
		q.ApplicationVersions = 1000
	}
	if q.Environments == 0 {
		q.Environments = 200
	}
	if q.Applications == 0 {
		q.Applications = 75
	}
	o.Faults.withDefaults()
}

func (f *Faults) withDefaults() {
	if f.ThrottleRate == 0 {
		f.ThrottleRate = 2
	}
	if f.ThrottleBurst == 0 {
		f.ThrottleBurst = 15
	}
	if f.ThrottledActions == nil {
		f.ThrottledActions = []string{"DescribeEnvironments", "DescribeEvents", "ListTagsForResource"}
	}
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d == 0 {
		*d = v
	}
}
