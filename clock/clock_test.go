package clock

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRealSleep(t *testing.T) {
	start := time.Now()
	assert.NoError(t, Real{}.Sleep(context.Background(), 20*time.Millisecond))
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, Real{}.Sleep(ctx, time.Hour), context.Canceled)
	assert.ErrorIs(t, Real{}.Sleep(ctx, 0), context.Canceled)
	assert.NoError(t, Real{}.Sleep(context.Background(), 0))
	assert.WithinDuration(t, time.Now(), Real{}.Now(), time.Second)
	assert.Equal(t, Real{}, Or(nil))
}
