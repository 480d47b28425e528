package beanstalktest

import (
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// Entry is one change of who serves what, as the simulator carried it
// out: what a test needs to check a deploy tool's promises (live traffic
// only moved to a healthy environment; the live one never terminated)
// after the fact.
type Entry struct {
	At     time.Time
	Action string // JournalCreate, JournalSwapStart, JournalSwapDone, JournalTerminate
	// Environment is the environment acted on; for a swap, the source.
	Environment string
	// CNAME is the CNAME it holds when the entry is written (for a
	// finished swap: the one it took).
	CNAME string
	// Status and Health are its state at that moment.
	Status types.EnvironmentStatus
	Health types.EnvironmentHealth
	// Other is a swap's destination, with its CNAME, status and health.
	Other       string
	OtherCNAME  string
	OtherStatus types.EnvironmentStatus
	OtherHealth types.EnvironmentHealth
}

// Journal actions.
const (
	JournalCreate    = "create"
	JournalSwapStart = "swap-start"
	JournalSwapDone  = "swap-done"
	JournalTerminate = "terminate"
)

// Journal returns every creation, swap and termination so far, in order.
func (s *Server) Journal() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.advance(s.clock.Now())
	return slices.Clone(s.st.journal)
}

func (st *state) record(at time.Time, action string, e, other *environment) {
	en := Entry{At: at, Action: action, Environment: e.name, CNAME: e.cname, Status: e.status, Health: e.health}
	if other != nil {
		en.Other, en.OtherCNAME, en.OtherStatus, en.OtherHealth = other.name, other.cname, other.status, other.health
	}
	st.journal = append(st.journal, en)
}

// Transitions returns every status and health change the simulator's
// lifecycle made so far (launches, updates, swaps, terminations, health),
// in order, with the time it made each.
func (s *Server) Transitions() []Transition {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.advance(s.clock.Now())
	return slices.Clone(s.st.transitions)
}
