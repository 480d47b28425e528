package beanstalktest

import (
	"container/heap"
	"context"
	"runtime/metrics"
	"sync"
	"time"
)

// VirtualClock is simulated time that passes only when nothing else
// happens: when every goroutine using it sleeps on it (or waits for one
// that does) and no work holds it, it jumps to the earliest wake-up.
// Concurrent deploys then take the simulated time their waits ask for,
// however slow the machine running them: a benchmark's figures do not
// depend on the scheduler. Work that must finish before time moves on
// (a request the simulator is serving) holds it (Hold). Close stops the
// goroutine that drives it.
type VirtualClock struct {
	mu       sync.Mutex
	now      time.Time
	sleepers sleeperHeap
	holds    int
	activity uint64 // bumped by every use: quiet means unchanged
	seq      uint64

	quiet time.Duration
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

// NewVirtualClock returns a running virtual clock standing at start (a
// fixed date when zero). Time moves after a millisecond of real quiet.
func NewVirtualClock(start time.Time) *VirtualClock {
	if start.IsZero() {
		start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	}
	c := &VirtualClock{now: start.UTC(), quiet: time.Millisecond, stop: make(chan struct{}), done: make(chan struct{})}
	go c.drive()
	return c
}

// Close stops the clock; sleepers still waiting are woken.
func (c *VirtualClock) Close() {
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		c.mu.Lock()
		for c.sleepers.Len() > 0 {
			close(heap.Pop(&c.sleepers).(*sleeper).wake)
		}
		c.mu.Unlock()
	})
}

// Now returns the simulated time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.activity++
	return c.now
}

// Sleep waits until d of simulated time has passed, or ctx is done.
func (c *VirtualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	c.mu.Lock()
	c.activity++
	c.seq++
	s := &sleeper{at: c.now.Add(d), seq: c.seq, wake: make(chan struct{})}
	heap.Push(&c.sleepers, s)
	c.mu.Unlock()
	select {
	case <-s.wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		if s.index >= 0 {
			heap.Remove(&c.sleepers, s.index)
		}
		c.activity++
		c.mu.Unlock()
		return ctx.Err()
	}
}

// After returns a channel closed once d of simulated time has passed (or
// the clock is closed). The wake-up is set before After returns, so a
// goroutine waiting on the channel cannot let time skip past it.
func (c *VirtualClock) After(d time.Duration) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.activity++
	c.seq++
	s := &sleeper{at: c.now.Add(max(d, 0)), seq: c.seq, wake: make(chan struct{})}
	heap.Push(&c.sleepers, s)
	return s.wake
}

// Hold keeps time from moving until the returned release is called: for
// work in progress whose end time must not skip.
func (c *VirtualClock) Hold() (release func()) {
	c.mu.Lock()
	c.holds++
	c.activity++
	c.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			c.holds--
			c.activity++
			c.mu.Unlock()
		})
	}
}

// maxBusyTicks is how many quiet ticks time waits for goroutines that are
// busy without touching the clock: a goroutine that never rests (another
// clock's driver, a spinner, a parallel test) must slow time, not stop it.
const maxBusyTicks = 50

// drive moves time to the next wake-up after two quiet ticks in a row,
// once no other goroutine is running or ready to run (or maxBusyTicks
// have passed).
func (c *VirtualClock) drive() {
	defer close(c.done)
	t := time.NewTicker(c.quiet)
	defer t.Stop()
	var last uint64
	quietTicks := 0
	sched := newSchedProbe()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		c.mu.Lock()
		if c.activity != last || c.holds > 0 || c.sleepers.Len() == 0 {
			last, quietTicks = c.activity, 0
			c.mu.Unlock()
			continue
		}
		if quietTicks++; quietTicks < 2 || (quietTicks < maxBusyTicks && sched.othersBusy()) {
			c.mu.Unlock()
			continue
		}
		next := c.sleepers[0].at
		if next.After(c.now) {
			c.now = next
		}
		for c.sleepers.Len() > 0 && !c.sleepers[0].at.After(c.now) {
			close(heap.Pop(&c.sleepers).(*sleeper).wake)
		}
		c.activity++
		last, quietTicks = c.activity, 0
		c.mu.Unlock()
	}
}

// schedProbe reads the scheduler's goroutine counts. On a loaded machine
// a goroutine about to sleep on the clock (the watcher, planning its next
// poll) can wait for a CPU longer than the quiet ticks: without asking
// the scheduler, time would jump past the wake-up it was about to set,
// and a benchmark's figures would depend on the machine after all (a
// fleet's waits went blind for a minute, one run in three, with two
// benchmarks sharing two CPUs).
type schedProbe struct{ samples []metrics.Sample }

func newSchedProbe() *schedProbe {
	return &schedProbe{samples: []metrics.Sample{
		{Name: "/sched/goroutines/runnable:goroutines"},
		{Name: "/sched/goroutines/running:goroutines"},
	}}
}

// othersBusy says whether a goroutine other than the caller is running
// or waiting for a CPU (approximately: the runtime's counts are).
func (p *schedProbe) othersBusy() bool {
	metrics.Read(p.samples)
	runnable, running := p.samples[0].Value, p.samples[1].Value
	if runnable.Kind() != metrics.KindUint64 || running.Kind() != metrics.KindUint64 {
		return false // a runtime without these counts: quiet ticks alone
	}
	return runnable.Uint64() > 0 || running.Uint64() > 1
}

type sleeper struct {
	at    time.Time
	seq   uint64
	wake  chan struct{}
	index int
}

type sleeperHeap []*sleeper

func (h sleeperHeap) Len() int { return len(h) }
func (h sleeperHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h sleeperHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *sleeperHeap) Push(x any) {
	s := x.(*sleeper)
	s.index = len(*h)
	*h = append(*h, s)
}
func (h *sleeperHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	old[len(old)-1] = nil
	s.index = -1
	*h = old[:len(old)-1]
	return s
}
