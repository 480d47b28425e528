package beanstalk

import (
	"reflect"
	"sync"

	"github.com/beanswap/beanswap/clock"
)

// The process-wide default: every operation run without a Monitor of its
// own shares one per client (one account and region) and clock, so an
// embedder that wires nothing still gets one watcher, one call budget
// and what it learned from earlier deploys. This is the one piece of
// package state, on purpose: the budget it guards is the account's, and
// an account has one per process, not one per caller.
var shared = struct {
	sync.Mutex
	order []sharedKey // least recently used first
	by    map[sharedKey]*Monitor
}{by: map[sharedKey]*Monitor{}}

type sharedKey struct {
	api   MonitorAPI
	clock clock.Clock
}

// sharedLimit bounds the monitors kept: a program that makes a client per
// call would otherwise keep every one.
const sharedLimit = 32

// SharedMonitor returns the process-wide Monitor over api on clk (nil:
// the wall clock), making it on first use. Clients that cannot be told
// apart (values that are not comparable) get a Monitor of their own.
func SharedMonitor(api MonitorAPI, clk clock.Clock) *Monitor {
	clk = clock.Or(clk)
	if !reflect.ValueOf(api).Comparable() || !reflect.ValueOf(clk).Comparable() {
		return NewMonitor(api, MonitorOptions{Clock: clk})
	}
	k := sharedKey{api, clk}
	shared.Lock()
	defer shared.Unlock()
	m, ok := shared.by[k]
	if ok {
		for i, o := range shared.order {
			if o == k {
				shared.order = append(shared.order[:i], shared.order[i+1:]...)
				break
			}
		}
	} else {
		m = NewMonitor(api, MonitorOptions{Clock: clk})
		shared.by[k] = m
		if len(shared.order) >= sharedLimit {
			delete(shared.by, shared.order[0])
			shared.order = shared.order[1:]
		}
	}
	shared.order = append(shared.order, k)
	return m
}
