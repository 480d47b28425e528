package beanstalktest

import "maps"

// The simulator counts what it is asked: how a test measures what a
// deploy spends from the account's budget.

// CallCount returns how many requests the simulator received for a
// Beanstalk action (every attempt, faults and throttling included).
func (s *Server) CallCount(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[action]
}

// Calls returns a copy of the request counts by action.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// Throttled returns how many requests the simulator refused with
// "Throttling: Rate exceeded" (the SDK retries them, so a tool may never
// see them: this is how a test tells it stayed within the account's
// budget).
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttledCalls
}

// ResetCalls zeroes the request counts, throttled requests included.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
	s.throttledCalls = 0
}
