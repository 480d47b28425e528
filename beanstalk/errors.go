package beanstalk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/smithy-go"
)

// Sentinels callers test with errors.Is.
var (
	// ErrLaunchFailed is wrapped by *LaunchError.
	ErrLaunchFailed = errors.New("environment launch failed")
	// ErrTimeout is wrapped by *TimeoutError.
	ErrTimeout = errors.New("timed out")
	// ErrNotReady: Beanstalk refused an operation because the environment
	// is launching, updating or terminating ("Must be Ready").
	ErrNotReady = errors.New("environment is not Ready")
	// ErrNotFound: the environment or application does not exist.
	ErrNotFound = errors.New("not found")
	// ErrAmbiguousLive: several environments could be the live one.
	ErrAmbiguousLive = errors.New("live environment is ambiguous")
	// ErrVersionQuota: the region holds the maximum number of application
	// versions; prune old ones.
	ErrVersionQuota = errors.New("application version quota reached")
	// ErrEnvironmentQuota: the account holds the maximum number of environments.
	ErrEnvironmentQuota = errors.New("environment quota reached")
)

// Event is a Beanstalk event kept in an error.
type Event struct {
	Date     time.Time `json:"date"`
	Severity string    `json:"severity"`
	Message  string    `json:"message"`
}

func (e Event) String() string {
	return e.Date.UTC().Format("15:04:05") + " " + e.Severity + " " + e.Message
}

// LaunchError reports an environment that failed to become healthy: what
// Beanstalk said (its ERROR events since the step began) and, with
// enhanced health, the causes it gives.
type LaunchError struct {
	Environment  string
	Status       string
	Health       string
	HealthStatus string
	Events       []Event
	Causes       []string
}

func (e *LaunchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "environment %s failed: status %s, health %s", e.Environment, e.Status, e.Health)
	if e.HealthStatus != "" {
		fmt.Fprintf(&b, " (%s)", e.HealthStatus)
	}
	for _, ev := range e.Events {
		b.WriteString("; ")
		b.WriteString(ev.Message)
	}
	for _, c := range e.Causes {
		if !strings.Contains(b.String(), c) {
			b.WriteString("; cause: ")
			b.WriteString(c)
		}
	}
	return b.String()
}

func (e *LaunchError) Unwrap() error { return ErrLaunchFailed }

// TimeoutError reports a wait that ran out of time, and where it stood.
type TimeoutError struct {
	Environment string
	Waiting     string
	Status      string
	Health      string
	Waited      time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("timed out after %s waiting for %s %s (last seen: status %s, health %s)",
		e.Waited.Round(time.Second), e.Environment, e.Waiting, orDash(e.Status), orDash(e.Health))
}

func (e *TimeoutError) Unwrap() error { return ErrTimeout }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// The translation of AWS errors lives here alone. Beanstalk gives codes to
// few errors; InvalidParameterValue covers many cases that only its
// message tells apart.

func apiError(err error) (code, message string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	return "", ""
}

// isThrottle reports Beanstalk's "Rate exceeded".
func isThrottle(err error) bool {
	switch code, _ := apiError(err); code {
	case "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException":
		return true
	}
	return false
}

// isTransient reports failures worth another poll: throttling, HTTP 5xx
// and network errors (dropped connections), never cancellation.
func isTransient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if isThrottle(err) {
		return true
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) {
		return status.HTTPStatusCode() >= 500
	}
	var ae smithy.APIError
	return !errors.As(err, &ae) // no answer at all: a network error
}

func isAlreadyExists(err error) bool {
	code, msg := apiError(err)
	return code == "InvalidParameterValue" && strings.Contains(msg, "already exists")
}

func isNotReady(err error) bool {
	code, msg := apiError(err)
	return code == "InvalidParameterValue" && strings.Contains(msg, "Must be Ready")
}

// isBusy reports an operation refused because another is in progress.
func isBusy(err error) bool {
	code, _ := apiError(err)
	return code == "OperationInProgressFailure" || isNotReady(err)
}

func isNoSuchEnvironment(err error) bool {
	code, msg := apiError(err)
	return code == "InvalidParameterValue" && strings.HasPrefix(msg, "No Environment found")
}

func isVersionQuota(err error) bool {
	code, _ := apiError(err)
	return code == "TooManyApplicationVersionsException"
}

func isEnvironmentQuota(err error) bool {
	code, _ := apiError(err)
	return code == "TooManyEnvironmentsException"
}

// translate maps an AWS error to a domain sentinel where one applies,
// keeping the original in the chain.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case isBusy(err):
		return fmt.Errorf("%w: %w", ErrNotReady, err)
	case isNoSuchEnvironment(err):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case isVersionQuota(err):
		return fmt.Errorf("%w: %w", ErrVersionQuota, err)
	case isEnvironmentQuota(err):
		return fmt.Errorf("%w: %w", ErrEnvironmentQuota, err)
	}
	return err
}
