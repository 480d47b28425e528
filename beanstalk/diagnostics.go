package beanstalk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// DiagnosticsAPI is what Diagnose reads; *elasticbeanstalk.Client
// satisfies it.
type DiagnosticsAPI interface {
	MonitorAPI
	LogsAPI
	DescribeInstancesHealth(ctx context.Context, in *eb.DescribeInstancesHealthInput, optFns ...func(*eb.Options)) (*eb.DescribeInstancesHealthOutput, error)
}

// Diagnostics is what Beanstalk can tell about why an environment failed,
// gathered so that nobody has to open the console: its warnings and
// errors, the health causes, and the end of each instance's logs.
type Diagnostics struct {
	Environment string `json:"environment"`
	// Events are the environment's WARN, ERROR and FATAL events since the
	// operation began, oldest first.
	Events []Event `json:"events,omitempty"`
	// Causes are enhanced health's causes for the environment.
	Causes []string `json:"causes,omitempty"`
	// Instances are each instance's health causes and log tails.
	Instances []InstanceDiagnosis `json:"instances,omitempty"`
	// Explanation is the line that most likely says why: the last
	// [ERROR] line of an instance's eb-engine.log, else the last ERROR
	// event, else the first cause. "" when nothing says.
	Explanation string `json:"explanation,omitempty"`
	// Incomplete says what could not be gathered, and why.
	Incomplete []string `json:"incomplete,omitempty"`
}

// InstanceDiagnosis is one instance's part.
type InstanceDiagnosis struct {
	Instance string   `json:"instance"`
	Health   string   `json:"health,omitempty"`
	Causes   []string `json:"causes,omitempty"`
	// EngineLog and ContainerLog are the last lines of eb-engine.log and
	// of the container's output.
	EngineLog    []string `json:"eb_engine_log,omitempty"`
	ContainerLog []string `json:"container_log,omitempty"`
}

// DiagnoseOptions bound Diagnose. Zero values mean the defaults.
type DiagnoseOptions struct {
	// Since is when the failed operation began: events from then on.
	Since time.Time
	// Client downloads the logs; nil skips them.
	Client *http.Client
	// Timeout bounds the logs' collection; default 90 seconds.
	Timeout time.Duration
	// Lines is how many lines of each log are kept; default 30.
	Lines int
}

const (
	maxDiagEvents = 20
	maxDiagLine   = 500
	maxInstances  = 5
)

// Diagnose gathers why env failed. It never fails: what it could not
// gather is listed in Incomplete, so that the failure it explains is
// never hidden by it.
func (m *Monitor) Diagnose(ctx context.Context, api DiagnosticsAPI, app, env string, o DiagnoseOptions) *Diagnostics {
	if o.Timeout <= 0 {
		o.Timeout = 90 * time.Second
	}
	if o.Lines <= 0 {
		o.Lines = 30
	}
	d := &Diagnostics{Environment: env}
	if ctx.Err() != nil {
		d.Incomplete = append(d.Incomplete, "nothing gathered: "+ctx.Err().Error())
		return d
	}
	if evs, err := m.Events(ctx, app, o.Since); err != nil {
		d.Incomplete = append(d.Incomplete, "events: "+err.Error())
	} else {
		for _, ev := range evs {
			if aws.ToString(ev.EnvironmentName) != env {
				continue
			}
			switch ev.Severity {
			case types.EventSeverityWarn, types.EventSeverityError, types.EventSeverityFatal:
				d.Events = append(d.Events, Event{Date: aws.ToTime(ev.EventDate), Severity: string(ev.Severity), Message: clip(aws.ToString(ev.Message))})
			}
		}
		if n := len(d.Events); n > maxDiagEvents {
			d.Events = d.Events[n-maxDiagEvents:]
		}
	}
	d.Causes = m.HealthCauses(ctx, env)
	index := map[string]int{} // into d.Instances
	instance := func(id string) *InstanceDiagnosis {
		i, ok := index[id]
		if !ok {
			i = len(d.Instances)
			index[id] = i
			d.Instances = append(d.Instances, InstanceDiagnosis{Instance: id})
		}
		return &d.Instances[i]
	}
	out, err := call(ctx, m, "describe instances' health of "+env, func() (*eb.DescribeInstancesHealthOutput, error) {
		return api.DescribeInstancesHealth(ctx, &eb.DescribeInstancesHealthInput{EnvironmentName: aws.String(env),
			AttributeNames: []types.InstancesHealthAttribute{types.InstancesHealthAttributeHealthStatus, types.InstancesHealthAttributeCauses}})
	})
	switch code, _ := apiError(err); {
	case err == nil:
		for _, h := range out.InstanceHealthList {
			if len(d.Instances) >= maxInstances {
				break
			}
			in := instance(aws.ToString(h.InstanceId))
			in.Health = aws.ToString(h.HealthStatus)
			for _, c := range h.Causes {
				in.Causes = append(in.Causes, clip(c))
			}
		}
	case code == "InvalidRequestException": // basic health: no instance causes
	default:
		d.Incomplete = append(d.Incomplete, "instances' health: "+err.Error())
	}
	if o.Client != nil {
		logs, err := m.Logs(ctx, api, app, env, LogOptions{Client: o.Client, Timeout: o.Timeout})
		if err != nil {
			d.Incomplete = append(d.Incomplete, "logs: "+err.Error())
		}
		for _, l := range logs {
			if _, known := index[l.Instance]; !known && len(d.Instances) >= maxInstances {
				continue
			}
			in := instance(l.Instance)
			for _, s := range l.Sections() {
				switch {
				case path.Base(s.Path) == "eb-engine.log":
					in.EngineLog = last(s.Lines, o.Lines)
				case strings.Contains(s.Path, "eb-docker/containers") || strings.HasSuffix(s.Path, "stdouterr.log"):
					in.ContainerLog = last(s.Lines, o.Lines)
				}
			}
		}
	}
	d.explain()
	return d
}

// explain picks the line that most likely says why.
func (d *Diagnostics) explain() {
	for _, in := range d.Instances {
		for i := len(in.EngineLog) - 1; i >= 0; i-- {
			if strings.Contains(in.EngineLog[i], "[ERROR]") {
				d.Explanation = fmt.Sprintf("eb-engine.log on %s: %s", in.Instance, in.EngineLog[i])
				return
			}
		}
	}
	for i := len(d.Events) - 1; i >= 0; i-- {
		if d.Events[i].Severity == "ERROR" || d.Events[i].Severity == "FATAL" {
			d.Explanation = d.Events[i].Message
			return
		}
	}
	// The application's own complaint, the last one it printed.
	for _, in := range d.Instances {
		for i := len(in.ContainerLog) - 1; i >= 0; i-- {
			if complains(in.ContainerLog[i]) {
				d.Explanation = fmt.Sprintf("container output on %s: %s", in.Instance, in.ContainerLog[i])
				return
			}
		}
	}
	for _, in := range d.Instances {
		if len(in.Causes) > 0 {
			d.Explanation = fmt.Sprintf("%s: %s", in.Instance, in.Causes[0])
			return
		}
	}
	if len(d.Causes) > 0 {
		d.Explanation = d.Causes[0]
		return
	}
	for i := len(d.Events) - 1; i >= 0; i-- {
		if d.Events[i].Severity == "WARN" {
			d.Explanation = d.Events[i].Message
			return
		}
	}
}

// complains reports a log line that reads like an error.
func complains(line string) bool {
	l := strings.ToLower(line)
	for _, w := range []string{"error", "panic", "fatal", "exception", "traceback", "refused", "denied", "warn", "not found"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// String renders the diagnostics for people.
func (d *Diagnostics) String() string {
	if d == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "diagnostics of %s:\n", d.Environment)
	if d.Explanation != "" {
		fmt.Fprintf(&b, "  why: %s\n", d.Explanation)
	}
	for _, ev := range d.Events {
		fmt.Fprintf(&b, "  event: %s\n", ev)
	}
	for _, c := range d.Causes {
		fmt.Fprintf(&b, "  cause: %s\n", c)
	}
	for _, in := range d.Instances {
		fmt.Fprintf(&b, "  instance %s %s\n", in.Instance, in.Health)
		for _, c := range in.Causes {
			fmt.Fprintf(&b, "    cause: %s\n", c)
		}
		if len(in.EngineLog) > 0 {
			b.WriteString("    eb-engine.log (end):\n")
			for _, l := range in.EngineLog {
				fmt.Fprintf(&b, "      %s\n", l)
			}
		}
		if len(in.ContainerLog) > 0 {
			b.WriteString("    container output (end):\n")
			for _, l := range in.ContainerLog {
				fmt.Fprintf(&b, "      %s\n", l)
			}
		}
	}
	for _, s := range d.Incomplete {
		fmt.Fprintf(&b, "  not gathered: %s\n", s)
	}
	return b.String()
}

// Scrub rewrites every text with f (a secret scrubber).
func (d *Diagnostics) Scrub(f func(string) string) {
	if d == nil {
		return
	}
	d.Explanation = f(d.Explanation)
	for i := range d.Events {
		d.Events[i].Message = f(d.Events[i].Message)
	}
	each := func(s []string) {
		for i := range s {
			s[i] = f(s[i])
		}
	}
	each(d.Causes)
	each(d.Incomplete)
	for i := range d.Instances {
		each(d.Instances[i].Causes)
		each(d.Instances[i].EngineLog)
		each(d.Instances[i].ContainerLog)
	}
}

// DiagnosedError is a failure with the diagnostics of the environment
// that failed; its text ends with the explanation.
type DiagnosedError struct {
	Err         error
	Diagnostics *Diagnostics
}

func (e *DiagnosedError) Error() string {
	if e.Diagnostics == nil || e.Diagnostics.Explanation == "" || strings.Contains(e.Err.Error(), e.Diagnostics.Explanation) {
		return e.Err.Error()
	}
	return e.Err.Error() + "; why: " + e.Diagnostics.Explanation
}

func (e *DiagnosedError) Unwrap() error { return e.Err }

// DiagnosticsOf returns the diagnostics an error carries, or nil.
func DiagnosticsOf(err error) *Diagnostics {
	var de *DeployError
	if errors.As(err, &de) && de.Diagnostics != nil {
		return de.Diagnostics
	}
	var dg *DiagnosedError
	if errors.As(err, &dg) {
		return dg.Diagnostics
	}
	return nil
}

func last(lines []string, n int) []string {
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = clip(l)
	}
	return out
}

func clip(s string) string {
	if len(s) > maxDiagLine {
		return s[:maxDiagLine] + "…"
	}
	return s
}
