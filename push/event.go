// Package push wakes beanswap's waits on the changes Elastic Beanstalk
// pushes, instead of polling for them: Beanstalk sends its environment
// status and health changes to Amazon EventBridge; a rule (source
// aws.elasticbeanstalk) forwards them to an SQS queue this package
// creates, long-polls and removes. Delivery is best effort, so the
// Monitor keeps polling, sparsely, as a safety net, and acts only on
// what it reads from Beanstalk itself: a pushed event is a nudge, never
// a fact.
package push

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/beanswap/beanswap/beanstalk"
)

// Source is the source of Elastic Beanstalk's events.
const Source = "aws.elasticbeanstalk"

// envelope is the part of an EventBridge event this package reads.
type envelope struct {
	Source     string   `json:"source"`
	DetailType string   `json:"detail-type"`
	Time       string   `json:"time"`
	Resources  []string `json:"resources"`
	Detail     struct {
		EnvironmentName string          `json:"EnvironmentName"`
		EventDate       json.RawMessage `json:"EventDate"`
	} `json:"detail"`
}

// ParseEvent reads an EventBridge event (an SQS message's body) and says
// which environment it concerns, and when. ok is false for an event that
// concerns no environment (another source; an application's event); an
// error means the body is not an event at all.
func ParseEvent(body []byte) (n beanstalk.Nudge, ok bool, err error) {
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil {
		return n, false, fmt.Errorf("parse a pushed event: %w", err)
	}
	if e.Source != Source {
		return n, false, nil
	}
	n.Environment = e.Detail.EnvironmentName
	if n.Environment == "" {
		// arn:aws:elasticbeanstalk:region:account:environment/app/name
		for _, r := range e.Resources {
			if _, path, found := strings.Cut(r, ":environment/"); found {
				if _, name, found := strings.Cut(path, "/"); found && name != "" && !strings.Contains(name, "/") {
					n.Environment = name
					break
				}
			}
		}
	}
	if n.Environment == "" {
		return n, false, nil
	}
	n.At = eventDate(e.Detail.EventDate)
	if n.At.IsZero() {
		n.At, _ = time.Parse(time.RFC3339, e.Time)
	}
	return n, true, nil
}

// eventDate reads detail.EventDate: milliseconds since the epoch (a
// number, or a string of one), else an RFC 3339 date; zero if neither.
func eventDate(raw json.RawMessage) time.Time {
	if len(raw) == 0 {
		return time.Time{}
	}
	var ms json.Number
	if err := json.Unmarshal(raw, &ms); err == nil {
		if v, err := ms.Int64(); err == nil && v > 0 {
			return time.UnixMilli(v)
		}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if v, err := json.Number(s).Int64(); err == nil && v > 0 {
			return time.UnixMilli(v)
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
