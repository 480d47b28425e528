package beanswap

import (
	"context"
	"hash/fnv"
	"sync"
	"time"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/push"
)

// memQueue stands in for the SQS queue an EventBridge rule feeds, in
// process (the benchmarks run on a virtual clock): the simulator
// publishes into it, the Monitor takes nudges from it, parsed from the
// JSON EventBridge would deliver, pushDelay after each happened. It
// loses a given share of the events, the same ones for the same events,
// as best-effort delivery may.
type memQueue struct {
	clk    *beanstalktest.VirtualClock
	loss   float64
	mu     sync.Mutex
	bodies [][]byte
	lost   int
	signal chan struct{}
}

// pushDelay is how long after a change its event reaches the queue:
// EventBridge delivers in about half a second, SQS adds a little.
const pushDelay = 500 * time.Millisecond

func newMemQueue(loss float64) *memQueue {
	return &memQueue{loss: loss, signal: make(chan struct{}, 1)}
}

func (q *memQueue) publish(e beanstalktest.PushedEvent) {
	if q.clk != nil {
		due := q.clk.After(pushDelay) // on the simulator's (virtual) clock
		go func() {
			<-due
			q.deliver(e)
		}()
		return
	}
	q.deliver(e)
}

func (q *memQueue) deliver(e beanstalktest.PushedEvent) {
	if q.loss > 0 {
		h := fnv.New64a()
		h.Write([]byte(e.ID))
		if float64(h.Sum64()%1000)/1000 < q.loss {
			q.mu.Lock()
			q.lost++
			q.mu.Unlock()
			return
		}
	}
	q.mu.Lock()
	q.bodies = append(q.bodies, e.JSON())
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *memQueue) Next(ctx context.Context) ([]beanstalk.Nudge, error) {
	for {
		q.mu.Lock()
		bodies := q.bodies
		q.bodies = nil
		q.mu.Unlock()
		var nudges []beanstalk.Nudge
		for _, b := range bodies {
			if n, ok, err := push.ParseEvent(b); err == nil && ok {
				nudges = append(nudges, n)
			}
		}
		if len(nudges) > 0 {
			return nudges, nil
		}
		select {
		case <-q.signal:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
