package beanstalktest

import (
	"math/rand"
	"slices"
	"time"
)

// tokenBucket is the throttling AWS Support describes for Beanstalk's
// Describe calls: one bucket per account and region, refilled on the
// simulation clock.
type tokenBucket struct {
	tokens float64
	last   time.Time
}

func newTokenBucket(f Faults, now time.Time) tokenBucket {
	return tokenBucket{tokens: float64(f.ThrottleBurst), last: now}
}

// throttled takes a token for action if it shares the bucket; it reports
// whether none was left. Caller holds s.mu.
func (s *Server) throttled(action string, now time.Time) bool {
	f := s.faults
	if f.DisableThrottling || !slices.Contains(f.ThrottledActions, action) {
		return false
	}
	b := &s.bucket
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens += elapsed.Seconds() * f.ThrottleRate
		if b.tokens > float64(f.ThrottleBurst) {
			b.tokens = float64(f.ThrottleBurst)
		}
		b.last = now
	}
	if b.tokens < 1 {
		return true
	}
	b.tokens--
	return false
}

type fault int

const (
	faultNone fault = iota
	faultDrop
	faultSlow
	faultError
	faultUnavailable
)

func (f fault) String() string {
	return [...]string{"none", "drop", "slow", "error", "unavailable"}[f]
}

// faultRand draws faults from a seeded source, so a test's faults repeat.
type faultRand struct{ r *rand.Rand }

func newFaultRand(seed int64) *faultRand { return &faultRand{r: rand.New(rand.NewSource(seed))} }

// pick decides the fault for one request. Caller holds s.mu.
func (fr *faultRand) pick(f Faults) fault {
	if f.DropRate > 0 && fr.r.Float64() < f.DropRate {
		return faultDrop
	}
	if f.ErrorRate > 0 && fr.r.Float64() < f.ErrorRate {
		if fr.r.Intn(2) == 0 {
			return faultError
		}
		return faultUnavailable
	}
	if f.SlowRate > 0 && f.SlowDelay > 0 && fr.r.Float64() < f.SlowRate {
		return faultSlow
	}
	return faultNone
}

// SetFaults replaces the fault injection settings; the throttling bucket
// starts full.
func (s *Server) SetFaults(f Faults) {
	f.withDefaults()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.bucket = newTokenBucket(f, s.clock.Now())
}
