package progress

// Scrubber removes secrets from text; *secret.Scrubber satisfies it.
type Scrubber interface {
	String(text string) string
	Error(err error) error
}

// Scrubbed wraps o so that every text an event carries — messages,
// command output, check details, errors — goes through s first.
func Scrubbed(o Observer, s Scrubber) Observer {
	if o == nil || s == nil {
		return o
	}
	return func(e Event) { o(Scrub(e, s)) }
}

// Scrub returns e with its texts scrubbed.
func Scrub(e Event, s Scrubber) Event {
	switch e := e.(type) {
	case StepStarted:
		e.Detail = s.String(e.Detail)
		return e
	case StepFinished:
		e.Err, e.Skipped = s.Error(e.Err), s.String(e.Skipped)
		return e
	case Info:
		e.Message = s.String(e.Message)
		return e
	case Warning:
		e.Message = s.String(e.Message)
		return e
	case BeanstalkEvent:
		e.Message = s.String(e.Message)
		return e
	case Waiting:
		e.For = s.String(e.For)
		return e
	case WaitStarted:
		e.For = s.String(e.For)
		return e
	case WaitFinished:
		e.For, e.Err = s.String(e.For), s.Error(e.Err)
		return e
	case CheckResult:
		e.Detail, e.Target = s.String(e.Detail), s.String(e.Target)
		return e
	case Output:
		e.Line = s.String(e.Line)
		return e
	}
	return e
}
