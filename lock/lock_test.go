package lock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/internal/awstest"
	"github.com/beanswap/beanswap/progress"
)

// backends are the S3 implementations the lock is tested against: the
// simulator's (gofakes3) and moto (or AWS_ENDPOINT_URL).
func backends(t *testing.T) map[string]func(t *testing.T) *s3.Client {
	return map[string]func(t *testing.T) *s3.Client{
		"simulator": func(t *testing.T) *s3.Client {
			return s3.NewFromConfig(beanstalktest.Start(t, beanstalktest.Options{}).Config())
		},
		"moto": func(t *testing.T) *s3.Client {
			if testing.Short() {
				t.Skip("starts moto_server")
			}
			return s3.NewFromConfig(awstest.Start(t).Config(), func(o *s3.Options) { o.UsePathStyle = true })
		},
	}
}

func bucket(t *testing.T, c *s3.Client) string {
	return awstest.Bucket(t, c, "beanswap-lock")
}

func TestLease(t *testing.T) {
	for name, client := range backends(t) {
		t.Run(name, func(t *testing.T) {
			c := client(t)
			b := bucket(t, c)
			clk := beanstalktest.NewManualClock(time.Time{})
			ctx := context.Background()
			locker := func(owner string, wait time.Duration) *Locker {
				return &Locker{S3: c, Bucket: b, Key: Key("hello"), TTL: 10 * time.Minute, Wait: wait, Clock: clk, Owner: owner}
			}

			first, err := locker("alice@ci", 0).Acquire(ctx, "deploy hello:1")
			require.NoError(t, err)
			assert.Equal(t, "alice@ci", first.Holder().Owner)

			// A second deploy fails fast, naming the holder.
			_, err = locker("bob@laptop", 0).Acquire(ctx, "deploy hello:2")
			var held *HeldError
			require.ErrorAs(t, err, &held)
			assert.ErrorIs(t, err, ErrHeld)
			assert.Equal(t, "alice@ci", held.Holder.Owner)
			assert.Contains(t, err.Error(), "is held by alice@ci")
			assert.Contains(t, err.Error(), "deploy hello:1")

			// Or waits, and gives up after lock_wait.
			start := clk.Now()
			_, err = locker("bob@laptop", 2*time.Minute).Acquire(ctx, "deploy hello:2")
			require.ErrorAs(t, err, &held)
			assert.Equal(t, 2*time.Minute, clk.Now().Sub(start))

			// Renewing pushes the expiry; releasing frees it.
			clk.Advance(9 * time.Minute)
			require.NoError(t, first.Renew(ctx))
			clk.Advance(9 * time.Minute)
			_, err = locker("bob@laptop", 0).Acquire(ctx, "deploy hello:2")
			require.ErrorIs(t, err, ErrHeld, "renewed: still valid")
			require.NoError(t, first.Release(ctx))
			second, err := locker("bob@laptop", 0).Acquire(ctx, "deploy hello:2")
			require.NoError(t, err)

			// A crashed holder's lease expires and is taken over.
			rec := &progress.Recorder{}
			clk.Advance(11 * time.Minute)
			l3 := locker("carol@ci", 0)
			l3.Observer = rec.Observe
			third, err := l3.Acquire(ctx, "deploy hello:3")
			require.NoError(t, err)
			assert.Equal(t, "carol@ci", third.Holder().Owner)
			require.Len(t, rec.Events(), 1)
			assert.Contains(t, rec.Events()[0].(progress.Warning).Message, "took over the expired deploy lock of bob@laptop")

			// The one taken over learns it lost the lease.
			assert.ErrorIs(t, second.Renew(ctx), ErrLost)
			assert.ErrorIs(t, second.Release(ctx), ErrLost)
			require.NoError(t, third.Release(ctx))
			require.NoError(t, third.Release(ctx), "releasing twice is harmless")
		})
	}
}

// TestOneWinner races deploys for a free lease: exactly one wins.
func TestOneWinner(t *testing.T) {
	for name, client := range backends(t) {
		t.Run(name, func(t *testing.T) {
			c := client(t)
			b := bucket(t, c)
			var wg sync.WaitGroup
			var mu sync.Mutex
			won, held := 0, 0
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					_, err := (&Locker{S3: c, Bucket: b, Key: Key("race"), Owner: "racer"}).Acquire(context.Background(), "deploy")
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						won++
					case errors.Is(err, ErrHeld):
						held++
					default:
						t.Errorf("racer %d: %v", i, err)
					}
				}(i)
			}
			wg.Wait()
			assert.Equal(t, 1, won)
			assert.Equal(t, 7, held)
		})
	}
}

func TestWaitHonoursContext(t *testing.T) {
	c := s3.NewFromConfig(beanstalktest.Start(t, beanstalktest.Options{}).Config())
	b := bucket(t, c)
	_, err := (&Locker{S3: c, Bucket: b, Key: "k", Owner: "a"}).Acquire(context.Background(), "x")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = (&Locker{S3: c, Bucket: b, Key: "k", Owner: "b", Wait: time.Hour, Clock: clock.Real{}}).Acquire(ctx, "y")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
}

// TestKilledHolder: a deploy killed with kill -9 leaves its lease; the
// next one on the same host is told the holder is dead and how to free
// it, and Break frees that lease only.
func TestKilledHolder(t *testing.T) {
	for name, client := range backends(t) {
		t.Run(name, func(t *testing.T) {
			c := client(t)
			b := bucket(t, c)
			ctx := context.Background()
			clk := beanstalktest.NewManualClock(time.Time{})
			l := &Locker{S3: c, Bucket: b, Key: Key("hello"), TTL: time.Hour, Clock: clk, Owner: "ci@host"}

			// The killed deploy: a process of this host that is gone.
			dead := exec.Command("sh", "-c", "exit 0")
			require.NoError(t, dead.Run())
			host, _ := os.Hostname()
			killed := Holder{Owner: "ci@host", Host: host, PID: dead.Process.Pid, RunID: "run-killed", Purpose: "deploy hello:1", Started: clk.Now(), Expires: clk.Now().Add(time.Hour)}
			_, err := l.put(ctx, killed, "", true)
			require.NoError(t, err)

			_, err = l.Acquire(ctx, "deploy hello:2")
			var held *HeldError
			require.ErrorAs(t, err, &held)
			assert.True(t, held.Dead)
			assert.Contains(t, err.Error(), fmt.Sprintf("its process (pid %d) is no longer running on this host", dead.Process.Pid))
			assert.Contains(t, err.Error(), "beanswap unlock --run-id run-killed")

			cur, err := l.Current(ctx)
			require.NoError(t, err)
			assert.Equal(t, "run-killed", cur.RunID)

			_, err = l.Break(ctx, "run-other")
			assert.ErrorIs(t, err, ErrOtherHolder, "only the named lease is broken")
			_, err = l.Current(ctx)
			require.NoError(t, err, "still held")

			broken, err := l.Break(ctx, "run-killed")
			require.NoError(t, err)
			assert.Equal(t, "deploy hello:1", broken.Purpose)
			_, err = l.Break(ctx, "run-killed")
			assert.ErrorIs(t, err, ErrNoLease)
			lease, err := l.Acquire(ctx, "deploy hello:2")
			require.NoError(t, err)
			require.NoError(t, lease.Release(ctx))
		})
	}
}
