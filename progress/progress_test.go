package progress

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestObserverHelpers(t *testing.T) {
	var nothing Observer
	nothing.Emit(Info{Message: "dropped"}) // a nil observer discards

	rec := &Recorder{}
	var o Observer = rec.Observe
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	o.Emit(StepStarted{At: at, Step: "deploy"})
	assert.Equal(t, []Event{StepStarted{At: at, Step: "deploy"}}, rec.Events())
	assert.Equal(t, at, rec.Events()[0].When())
	assert.Nil(t, Serialized(nil))

	// Serialized lets many goroutines emit into an observer that is not
	// safe for concurrent use.
	count := 0
	s := Serialized(func(Event) { count++ })
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); s.Emit(Output{Line: "x"}) }()
	}
	wg.Wait()
	assert.Equal(t, 50, count)
}
