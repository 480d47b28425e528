package beanstalktest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// Elastic Beanstalk sends events to EventBridge (source aws.elasticbeanstalk,
// best-effort delivery): "Elastic Beanstalk resource status change" when an
// environment operation starts, succeeds or fails, "Health status change"
// when its health moves, "Other resource status change" for the
// resources under it (an instance's failed command). With
// Options.Publish set, the simulator sends them as its lifecycle goes,
// at the time each happens (not when a request next looks).

// PushedEvent is one event sent to EventBridge.
type PushedEvent struct {
	ID         string
	DetailType string
	Time       time.Time
	Account    string
	Region     string
	Resources  []string
	Detail     PushedDetail
}

// PushedDetail is the detail of a PushedEvent, as Beanstalk fills it.
type PushedDetail struct {
	Status          string `json:"Status"`
	EventDate       int64  `json:"EventDate"` // milliseconds since the epoch
	ApplicationName string `json:"ApplicationName"`
	EnvironmentName string `json:"EnvironmentName"`
	Message         string `json:"Message"`
	Severity        string `json:"Severity"`
}

// PushedSource is the source of every pushed event.
const PushedSource = "aws.elasticbeanstalk"

// JSON is the event as EventBridge delivers it to a target (an SQS
// message's body).
func (e PushedEvent) JSON() []byte {
	b, _ := json.Marshal(map[string]any{
		"version":     "0",
		"id":          e.ID,
		"detail-type": e.DetailType,
		"source":      PushedSource,
		"account":     e.Account,
		"time":        e.Time.UTC().Format(time.RFC3339),
		"region":      e.Region,
		"resources":   e.Resources,
		"detail":      e.Detail,
	})
	return b
}

// pushStatus maps the events that mark an environment operation's steps
// to the Status of the pushed event.
func pushStatus(msg string) string {
	switch {
	case msg == "createEnvironment is starting.":
		return "Environment creation started"
	case strings.HasPrefix(msg, "Successfully launched environment"):
		return "Environment creation successful"
	case msg == msgCreateFailed:
		return "Environment creation failed"
	case msg == "terminateEnvironment is starting.":
		return "Environment termination started"
	case msg == "terminateEnvironment completed successfully.":
		return "Environment termination successful"
	case msg == "Environment update is starting.", msg == "swapEnvironmentCNAMEs is starting.":
		return "Environment update started"
	case msg == "Environment update completed successfully.", strings.HasPrefix(msg, "Completed swapping CNAMEs"):
		return "Environment update successful"
	case msg == msgUpdateFailed:
		return "Environment update failed"
	}
	return ""
}

// pushEvent queues the pushed form of an event of e, if it has one.
func (s *state) pushEvent(at time.Time, e *environment, sev types.EventSeverity, msg string) {
	kind, status := "Elastic Beanstalk resource status change", pushStatus(msg)
	if status == "" {
		if sev != types.EventSeverityError && sev != types.EventSeverityFatal {
			return
		}
		kind, status = "Other resource status change", "Failed"
	}
	s.queuePush(at, e, kind, status, string(sev), msg)
}

// pushHealth queues a "Health status change" of e.
func (s *state) pushHealth(at time.Time, e *environment, from, to types.EnvironmentHealth) {
	sev := types.EventSeverityInfo
	if to == types.EnvironmentHealthRed || to == types.EnvironmentHealthYellow {
		sev = types.EventSeverityWarn
	}
	s.queuePush(at, e, "Health status change", "Environment health changed", string(sev),
		fmt.Sprintf("Environment health has transitioned from %s to %s.", healthWord(from), healthWord(to)))
}

func healthWord(h types.EnvironmentHealth) string {
	switch h {
	case types.EnvironmentHealthGreen:
		return "Ok"
	case types.EnvironmentHealthYellow:
		return "Warning"
	case types.EnvironmentHealthRed:
		return "Severe"
	}
	return "Pending"
}

func (s *state) queuePush(at time.Time, e *environment, kind, status, sev, msg string) {
	if !s.publishing {
		return
	}
	s.pushed = append(s.pushed, PushedEvent{
		ID: s.randomID(8) + "-" + s.randomID(4) + "-" + s.randomID(12), DetailType: kind, Time: at,
		Account: s.account, Region: s.region, Resources: []string{s.arn("environment", e.app+"/"+e.name)},
		Detail: PushedDetail{Status: status, EventDate: at.UnixMilli(), ApplicationName: e.app, EnvironmentName: e.name, Message: msg, Severity: sev},
	})
}

// takePushed returns the events queued for publishing. Called with mu held.
func (s *Server) takePushed() []PushedEvent {
	p := s.st.pushed
	s.st.pushed = nil
	return p
}

// publish hands events to Options.Publish, outside the lock, in order.
func (s *Server) publish(events []PushedEvent) {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	for _, e := range events {
		s.opts.Publish(e)
	}
}

// drive applies the lifecycle's steps when they fall due, so that their
// events are published on time. It runs while the server does, when
// Options.Publish is set.
func (s *Server) drive(ctx context.Context) {
	for {
		s.mu.Lock()
		now := s.clock.Now()
		s.st.advance(now)
		pushed := s.takePushed()
		var next time.Time
		if s.st.schedule.Len() > 0 {
			next = s.st.schedule[0].at
		}
		wake, cancel := context.WithCancel(ctx)
		s.wakeDriver = cancel
		s.mu.Unlock()
		s.publish(pushed)
		if next.IsZero() {
			<-wake.Done()
		} else if d := next.Sub(now); d > 0 {
			_ = s.clock.Sleep(wake, d)
		}
		cancel()
		if ctx.Err() != nil {
			return
		}
	}
}

// kickDriver makes the driver look at the schedule again (a request may
// have added an earlier step). Called with mu held.
func (s *Server) kickDriver() {
	if s.wakeDriver != nil {
		s.wakeDriver()
	}
}
