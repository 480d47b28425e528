package beanstalktest

import "net/http"

// scripts hold the outcomes tests assign to environments and versions.
// Guarded by Server.mu.
type scripts struct {
	byEnvironment map[string]Outcome
	byVersion     map[string]Outcome
	fallback      Outcome
}

// ScriptEnvironment sets the outcome of environments named name created
// from now on.
func (s *Server) ScriptEnvironment(name string, o Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byEnvironment == nil {
		s.byEnvironment = map[string]Outcome{}
	}
	s.byEnvironment[name] = o
}

// ScriptVersion sets the outcome of environments launched with (or
// updated to) the version label from now on.
func (s *Server) ScriptVersion(label string, o Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byVersion == nil {
		s.byVersion = map[string]Outcome{}
	}
	s.byVersion[label] = o
}

// ScriptDefault sets the outcome of every environment no other script names.
func (s *Server) ScriptDefault(o Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = o
}

// SetHandler replaces what a running environment's instances serve; nil
// restores its scripted or default handler.
func (s *Server) SetHandler(environmentName string, h http.Handler) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.st.liveEnv(environmentName)
	if e == nil {
		return false
	}
	e.handler = h
	return true
}

func (sc *scripts) outcome(envName, version string) Outcome {
	if o, ok := sc.byEnvironment[envName]; ok {
		return o
	}
	if o, ok := sc.byVersion[version]; ok {
		return o
	}
	return sc.fallback
}
