package beanstalktest

import (
	"container/heap"
	"fmt"
	"math/rand"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// state is the simulated account and region. Every field is guarded by
// Server.mu; nothing in it starts goroutines: time-driven changes are
// scheduled steps applied lazily when the clock has passed them.
type state struct {
	region, account string
	apps            map[string]*application
	appOrder        []string
	envs            []*environment // creation order, terminated ones included
	events          []*event       // chronological
	journal         []Entry        // creations, swaps, terminations
	transitions     []Transition   // status and health changes made by steps
	schedule        stepQueue
	seq             int64
	rand            *rand.Rand
	seed            int64
	jitterSeen      map[string]int // occurrences of each jittered operation
	publishing      bool           // Options.Publish is set: queue pushed events
	pushed          []PushedEvent  // queued for publishing

	timing         Timing
	quotas         Quotas
	requireProfile bool
	profiles       []string // instance profiles that exist
	registries     map[string]*simRegistry
	scripts        *scripts
	objects        *s3mem.Backend // the simulated S3, for source bundles
	baseURL        string         // where the simulator serves, for presigned URLs
}

type application struct {
	name, description, arn string
	created, updated       time.Time
	versions               map[string]*appVersion
	tags                   []types.Tag
}

type appVersion struct {
	app, label, description, arn string
	bucket, key                  string
	created                      time.Time
	tags                         []types.Tag
}

type environment struct {
	id, name, app, arn string
	description        string
	cname, endpoint    string
	version            string
	solutionStack      string
	platformArn        string
	status             types.EnvironmentStatus
	health             types.EnvironmentHealth
	healthStatus       types.EnvironmentHealthStatus
	causes             []string
	created, updated   time.Time
	terminatedAt       time.Time
	options            []types.ConfigurationOptionSetting
	tags               []types.Tag
	enhanced           bool
	singleInstance     bool
	securityGroup      string   // the random part of its security group's name
	engine             []string // eb-engine.log, as every instance has it
	infoRequests       []infoRequest
	asg                string   // Auto Scaling group, once created
	instances          []string // in service, by id
	outcome            Outcome
	handler            http.Handler // overrides outcome.Handler when set
	degraded           bool
	generation         int // bumped to cancel pending steps
	lastRequestID      string
}

type event struct {
	at       time.Time
	app, env string
	version  string
	severity types.EventSeverity
	message  string
	request  string
	seq      int64
}

// step is a scheduled change: it runs once the clock reaches at, unless
// its environment's generation moved on (terminated, replaced).
type step struct {
	at         time.Time
	seq        int64
	env        *environment
	generation int
	run        func(at time.Time)
}

type stepQueue []*step

func (q stepQueue) Len() int { return len(q) }
func (q stepQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q stepQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *stepQueue) Push(x any)   { *q = append(*q, x.(*step)) }
func (q *stepQueue) Pop() any {
	old := *q
	s := old[len(old)-1]
	*q = old[:len(old)-1]
	return s
}

func newState(region, account string, seed int64) *state {
	return &state{
		region:  region,
		account: account,
		apps:    map[string]*application{},
		rand:    rand.New(rand.NewSource(seed)),
		seed:    seed,
	}
}

func (s *state) nextSeq() int64 { s.seq++; return s.seq }

// at schedules run for env at time t.
func (s *state) at(t time.Time, env *environment, run func(at time.Time)) {
	heap.Push(&s.schedule, &step{at: t, seq: s.nextSeq(), env: env, generation: env.generation, run: run})
}

// advance applies every step due by now, in time order.
func (s *state) advance(now time.Time) {
	for s.schedule.Len() > 0 && !s.schedule[0].at.After(now) {
		st := heap.Pop(&s.schedule).(*step)
		if st.env.generation != st.generation {
			continue
		}
		before := st.env.state()
		st.run(st.at)
		s.noteChange(st.at, st.env, before)
	}
}

// Transition is a change of an environment's status or health, when the
// simulator made it: what a benchmark compares with when a tool noticed.
type Transition struct {
	At          time.Time
	Environment string
	Status      types.EnvironmentStatus
	Health      types.EnvironmentHealth
}

type envState struct {
	status types.EnvironmentStatus
	health types.EnvironmentHealth
}

func (e *environment) state() envState { return envState{e.status, e.health} }

// noteChange records e's transition, if any, since before.
func (s *state) noteChange(at time.Time, e *environment, before envState) {
	if now := e.state(); now != before {
		s.transitions = append(s.transitions, Transition{At: at, Environment: e.name, Status: now.status, Health: now.health})
		if now.health != before.health {
			s.pushHealth(at, e, before.health, now.health)
		}
	}
}

// cancelSteps drops env's pending steps.
func (e *environment) cancelSteps() { e.generation++ }

func (s *state) emit(at time.Time, e *environment, sev types.EventSeverity, format string, args ...any) {
	ev := &event{at: at, severity: sev, message: fmt.Sprintf(format, args...), seq: s.nextSeq()}
	if e != nil {
		ev.app, ev.env, ev.version, ev.request = e.app, e.name, e.version, e.lastRequestID
		s.pushEvent(at, e, sev, ev.message)
	}
	s.events = append(s.events, ev)
}

func (s *state) emitApp(at time.Time, app, version, request string, sev types.EventSeverity, format string, args ...any) {
	s.events = append(s.events, &event{at: at, app: app, version: version, request: request, severity: sev, message: fmt.Sprintf(format, args...), seq: s.nextSeq()})
}

func (s *state) randomID(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rand.Intn(len(alphabet))]
	}
	return string(b)
}

func (s *state) arn(kind, path string) string {
	return fmt.Sprintf("arn:aws:elasticbeanstalk:%s:%s:%s/%s", s.region, s.account, kind, path)
}

// liveEnv returns the environment named name that is not terminated.
func (s *state) liveEnv(name string) *environment {
	for _, e := range s.envs {
		if e.name == name && e.status != types.EnvironmentStatusTerminated {
			return e
		}
	}
	return nil
}

func (s *state) envByID(id string) *environment {
	for _, e := range s.envs {
		if e.id == id {
			return e
		}
	}
	return nil
}

// cnameHolder returns the live environment holding cname.
func (s *state) cnameHolder(cname string) *environment {
	for _, e := range s.envs {
		if e.cname == cname && e.status != types.EnvironmentStatusTerminated {
			return e
		}
	}
	return nil
}

func (s *state) activeEnvironments() int {
	n := 0
	for _, e := range s.envs {
		if e.status != types.EnvironmentStatusTerminated {
			n++
		}
	}
	return n
}

func (s *state) versionCount() int {
	n := 0
	for _, a := range s.apps {
		n += len(a.versions)
	}
	return n
}

// describe renders e as the SDK type.
func (e *environment) describe() types.EnvironmentDescription {
	d := types.EnvironmentDescription{
		EnvironmentName:              aws.String(e.name),
		EnvironmentId:                aws.String(e.id),
		EnvironmentArn:               aws.String(e.arn),
		ApplicationName:              aws.String(e.app),
		DateCreated:                  aws.Time(e.created),
		DateUpdated:                  aws.Time(e.updated),
		Status:                       e.status,
		Health:                       e.health,
		AbortableOperationInProgress: aws.Bool(e.status == types.EnvironmentStatusUpdating),
		Tier:                         &types.EnvironmentTier{Name: aws.String("WebServer"), Type: aws.String("Standard"), Version: aws.String("1.0")},
	}
	if e.enhanced {
		d.HealthStatus = e.healthStatus
	}
	if e.description != "" {
		d.Description = aws.String(e.description)
	}
	if e.version != "" {
		d.VersionLabel = aws.String(e.version)
	}
	if e.solutionStack != "" {
		d.SolutionStackName = aws.String(e.solutionStack)
	}
	if e.platformArn != "" {
		d.PlatformArn = aws.String(e.platformArn)
	}
	if e.status != types.EnvironmentStatusTerminated {
		d.CNAME = aws.String(e.cname)
		d.EndpointURL = aws.String(e.endpoint)
	}
	return d
}

func (v *appVersion) describe() types.ApplicationVersionDescription {
	d := types.ApplicationVersionDescription{
		ApplicationName:       aws.String(v.app),
		VersionLabel:          aws.String(v.label),
		ApplicationVersionArn: aws.String(v.arn),
		DateCreated:           aws.Time(v.created),
		DateUpdated:           aws.Time(v.created),
		Status:                types.ApplicationVersionStatusProcessed,
		SourceBundle:          &types.S3Location{S3Bucket: aws.String(v.bucket), S3Key: aws.String(v.key)},
	}
	if v.description != "" {
		d.Description = aws.String(v.description)
	}
	return d
}

func (ev *event) describe() types.EventDescription {
	d := types.EventDescription{
		EventDate: aws.Time(ev.at),
		Message:   aws.String(ev.message),
		Severity:  ev.severity,
	}
	if ev.app != "" {
		d.ApplicationName = aws.String(ev.app)
	}
	if ev.env != "" {
		d.EnvironmentName = aws.String(ev.env)
	}
	if ev.version != "" {
		d.VersionLabel = aws.String(ev.version)
	}
	if ev.request != "" {
		d.RequestId = aws.String(ev.request)
	}
	return d
}
