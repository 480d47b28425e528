package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/beanstalktest"
)

// judge checks that each deploy's verdict and report say what happened.
func (s *scenario) judge(f fault, os []outcome) []string {
	var bad []string
	for _, o := range os {
		where := fmt.Sprintf("deploy of %s ended %s (%v)", o.image, o.verdict, o.err)
		if len(f.expect) > 0 && !slices.Contains(f.expect, o.verdict) {
			bad = append(bad, fmt.Sprintf("%s: expected one of %v", where, f.expect))
		}
		if o.concurrent {
			continue // others moved traffic meanwhile: before and after say nothing
		}
		r := o.report
		switch o.verdict {
		case beanswap.Done:
			if r == nil || r.Deployment == nil || o.holderAfter != r.Deployment.Name() {
				bad = append(bad, fmt.Sprintf("%s, but %s holds the live CNAME", where, o.holderAfter))
			}
		case beanswap.Failed, beanswap.Interrupted, beanswap.SwappedBack, beanswap.Invalid:
			if o.holderAfter != o.holderBefore {
				bad = append(bad, fmt.Sprintf("%s, saying live traffic stayed, but it moved from %s to %s", where, o.holderBefore, o.holderAfter))
			}
		}
		if r != nil && r.Live != "" && r.Live != o.holderAfter {
			bad = append(bad, fmt.Sprintf("%s: the report says %s is live, but %s holds the live CNAME", where, r.Live, o.holderAfter))
		}
	}
	return bad
}

// liveHistory replays the journal: who held the live CNAME, and who is
// kept for rollback (the previous holder, not counting one that was
// swapped back out after failing its verification).
type liveHistory struct{ holders []string }

func (h *liveHistory) live() string     { return at(h.holders, 1) }
func (h *liveHistory) rollback() string { return at(h.holders, 2) }

func at(s []string, fromEnd int) string {
	if len(s) < fromEnd {
		return ""
	}
	return s[len(s)-fromEnd]
}

// moveTo records that env took the live CNAME.
func (h *liveHistory) moveTo(env string) {
	if env == h.rollback() {
		h.holders = h.holders[:len(h.holders)-1] // a swap back
		return
	}
	h.holders = append(h.holders, env)
}

// checkJournal checks the simulator's journal: live traffic only moved
// to a Ready, Green environment that had passed its checks; the live and
// rollback environments were never terminated.
func (s *scenario) checkJournal() []string {
	var bad []string
	h := &liveHistory{}
	s.mu.Lock()
	acceptedAt := make(map[string]time.Time, len(s.accepted))
	for k, v := range s.accepted {
		acceptedAt[k] = v
	}
	s.mu.Unlock()
	lostLive := map[string]time.Time{} // when each environment last lost the live CNAME
	for _, e := range s.sim.Journal() {
		switch e.Action {
		case beanstalktest.JournalCreate:
			if e.CNAME == liveCNAME {
				h.moveTo(e.Environment) // a first deploy: nothing was live
			}
		case beanstalktest.JournalSwapStart:
			to, status, health := "", types.EnvironmentStatus(""), types.EnvironmentHealth("")
			switch liveCNAME {
			case e.OtherCNAME:
				to, status, health = e.Environment, e.Status, e.Health
			case e.CNAME:
				to, status, health = e.Other, e.OtherStatus, e.OtherHealth
			}
			if to == "" {
				continue
			}
			if status != types.EnvironmentStatusReady || health != types.EnvironmentHealthGreen {
				bad = append(bad, fmt.Sprintf("live traffic moved to %s while its health was %s (%s)", to, health, status))
			}
			if t, ok := acceptedAt[to]; !ok || t.After(e.At) {
				bad = append(bad, fmt.Sprintf("live traffic moved to %s, which had not passed its acceptance checks", to))
			}
		case beanstalktest.JournalSwapDone:
			switch liveCNAME {
			case e.CNAME:
				h.moveTo(e.Environment)
				lostLive[e.Other] = e.At
			case e.OtherCNAME:
				h.moveTo(e.Other)
				lostLive[e.Environment] = e.At
			}
		case beanstalktest.JournalTerminate:
			switch e.Environment {
			case h.live():
				bad = append(bad, fmt.Sprintf("the live environment %s was terminated", e.Environment))
			case h.rollback():
				bad = append(bad, fmt.Sprintf("the rollback environment %s was terminated", e.Environment))
			}
			if lost, ok := lostLive[e.Environment]; ok && e.At.Sub(lost) < 90*time.Second {
				bad = append(bad, fmt.Sprintf("%s was terminated %s after it stopped being live: DNS caches may still have sent it traffic", e.Environment, e.At.Sub(lost)))
			}
		}
	}
	return bad
}

// orphans lists the environments left running that neither are live nor
// kept for rollback, nor are named by the final report.
func (s *scenario) orphans(final outcome) []string {
	h := &liveHistory{}
	for _, e := range s.sim.Journal() {
		switch {
		case e.Action == beanstalktest.JournalCreate && e.CNAME == liveCNAME:
			h.moveTo(e.Environment)
		case e.Action == beanstalktest.JournalSwapDone && e.CNAME == liveCNAME:
			h.moveTo(e.Environment)
		case e.Action == beanstalktest.JournalSwapDone && e.OtherCNAME == liveCNAME:
			h.moveTo(e.Other)
		}
	}
	named := final.report.Summary(final.err) + final.report.Left
	if p := final.report.Pruned; p != nil && p.Plan != nil {
		named += p.Plan.String() + fmt.Sprint(p.Skipped)
	}
	var left []string
	for _, e := range s.active() {
		name := aws.ToString(e.EnvironmentName)
		if name == h.live() || name == h.rollback() || strings.Contains(named, name) {
			continue
		}
		left = append(left, fmt.Sprintf("%s (%s, %s) left running, named by no report", name, e.Status, e.Health))
	}
	return left
}

// leaks lists the secrets found in anything the runs emitted.
func (s *scenario) leaks() []string {
	s.mu.Lock()
	all := s.emitted.String()
	s.mu.Unlock()
	var found []string
	for _, v := range s.secrets {
		if strings.Contains(all, v) {
			found = append(found, fmt.Sprintf("a secret (%d characters) appears in what was emitted", len(v)))
		}
	}
	return found
}
