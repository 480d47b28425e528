package beanstalk

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/beanswap/beanswap/beanstalktest"
)

// uncomparable is a client value Go cannot compare (it holds a map).
type uncomparable struct {
	*fakeEB
	extra map[string]string
}

func TestSharedMonitor(t *testing.T) {
	clk := beanstalktest.NewManualClock(time.Time{})
	a, b := &fakeEB{}, &fakeEB{}
	assert.Same(t, SharedMonitor(a, clk), SharedMonitor(a, clk), "one per client and clock")
	assert.NotSame(t, SharedMonitor(a, clk), SharedMonitor(b, clk), "another client: another account, perhaps")
	assert.NotSame(t, SharedMonitor(a, clk), SharedMonitor(a, nil), "another clock")
	u := uncomparable{fakeEB: a, extra: map[string]string{}}
	assert.NotSame(t, SharedMonitor(u, clk), SharedMonitor(u, clk), "clients that cannot be told apart are not shared")
	assert.Same(t, SharedMonitor(a, clk), Runtime{Clock: clk}.MonitorFor(a), "what a Runtime without a Monitor uses")

	for range sharedLimit {
		SharedMonitor(&fakeEB{}, clk)
	}
	shared.Lock()
	n := len(shared.by)
	shared.Unlock()
	assert.LessOrEqual(t, n, sharedLimit, "bounded")
}
