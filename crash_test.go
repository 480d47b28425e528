package beanswap

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/lock"
	"github.com/beanswap/beanswap/progress"
	"github.com/beanswap/beanswap/swap"
)

// crashingS3 is the S3 client of a process that dies: once crashed, it no
// longer deletes anything, so the deploy lease stays behind.
type crashingS3 struct {
	S3API
	mu      sync.Mutex
	crashed bool
}

func (c *crashingS3) DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, o ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	c.mu.Lock()
	dead := c.crashed
	c.mu.Unlock()
	if dead {
		return &s3.DeleteObjectOutput{}, nil
	}
	return c.S3API.DeleteObject(ctx, in, o...)
}

func stepStarted(step string) func(progress.Event) bool {
	return func(e progress.Event) bool { s, ok := e.(progress.StepStarted); return ok && s.Step == step }
}

func infoContains(text string) func(progress.Event) bool {
	return func(e progress.Event) bool {
		i, ok := e.(progress.Info)
		return ok && strings.Contains(i.Message, text)
	}
}

func beanstalkEvent(text string) func(progress.Event) bool {
	return func(e progress.Event) bool {
		b, ok := e.(progress.BeanstalkEvent)
		return ok && strings.Contains(b.Message, text) && strings.HasPrefix(b.Environment, "hello-1-2-0")
	}
}

// TestRerunAfterCrash kills a deploy at every stage, the way a crash does
// (no cleanup, the lease left behind), then runs the same deploy again: it
// must end with the new version live and verified, the previous
// environment kept, nothing else running, and no environment created twice.
func TestRerunAfterCrash(t *testing.T) {
	points := map[string]func(progress.Event) bool{
		"taking the lock":        stepStarted(StepLock),
		"writing registry auth":  stepStarted(StepAuth),
		"building the bundle":    stepStarted(StepBundle),
		"starting the deploy":    stepStarted(StepDeploy),
		"after the version":      infoContains("registered version"),
		"while launching":        beanstalkEvent("createEnvironment is starting."),
		"once healthy":           infoContains("is Ready and Green"),
		"starting acceptance":    stepStarted(StepAcceptance),
		"starting the swap":      stepStarted(StepSwap),
		"while swapping":         beanstalkEvent("swapEnvironmentCNAMEs is starting."),
		"verifying the live URL": infoContains("now holds"),
		"starting to prune":      stepStarted(beanstalk.StepPrune),
		"while pruning":          infoContains("terminating hello-1-0-0"),
	}
	const image = "registry.example.com/team/hello:1.2.0"
	for name, crashAt := range points {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, nil)
			_, err := h.deploy("registry.example.com/team/hello:1.0.0")
			require.NoError(t, err)
			r2, err := h.deploy("registry.example.com/team/hello:1.1.0")
			require.NoError(t, err)

			// The crashing run.
			ctx, cancel := context.WithCancel(context.Background())
			p := h.pipeline(image)
			dying := &crashingS3{S3API: p.Clients.S3}
			p.Clients.S3 = dying
			p.LockOwner = "crashed@ci"
			crashed := false
			p.Observer = func(e progress.Event) {
				if !crashed && crashAt(e) {
					crashed = true
					dying.mu.Lock()
					dying.crashed = true
					dying.mu.Unlock()
					cancel()
				}
			}
			_, err = p.Run(ctx)
			require.True(t, crashed, "the crash point was reached")
			if !strings.Contains(name, "prun") {
				require.Error(t, err) // pruning failures only warn: the deploy had succeeded
			}

			// Time passes; the lease expires; the deploy is run again.
			h.clock.Advance(61 * time.Minute)
			r3, err := h.deploy(image)
			require.NoError(t, err)

			assert.Equal(t, r3.Version, h.liveVersion(), "the new version serves live traffic")
			live := h.environments()[r3.Live]
			assert.True(t, strings.HasPrefix(r3.Live, "hello-1-2-0-"), r3.Live)
			assert.Equal(t, "hello.us-east-1.elasticbeanstalk.com", aws.ToString(live.CNAME))
			assert.ElementsMatch(t, []string{r2.Live, r3.Live}, h.active(), "live and previous only: no orphan")

			// 1.0.0 and 1.1.0 took one CreateEnvironment each; the new
			// version at most one, whatever the crash.
			assert.LessOrEqual(t, h.sim.CallCount("CreateEnvironment"), 3, "no environment created twice")

			// The lease is free again, and the rerun marked the new one live.
			_, err = (&lock.Locker{S3: NewClients(h.sim.Config()).S3, Bucket: "hello-docker", Key: lock.Key("hello"), Clock: h.clock}).Acquire(context.Background(), "check")
			assert.NoError(t, err, "the rerun released its lease")
			tags, err := beanstalk.NewMonitor(NewClients(h.sim.Config()).Beanstalk, beanstalk.MonitorOptions{Clock: h.clock}).Tags(context.Background(), NewClients(h.sim.Config()).Beanstalk, aws.ToString(live.EnvironmentArn))
			require.NoError(t, err)
			assert.NotEmpty(t, tags[beanstalk.TagWentLive])
		})
	}
}

// TestRerunAfterCrashRollsBackAFailingSwap: the crashed run swapped but died
// before verifying the live URL, and the new version fails its checks when
// the deploy is run again. The rerun must not keep it live: it puts the
// previous environment back on the live CNAME and reports both.
func TestRerunAfterCrashRollsBackAFailingSwap(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Timeouts.Acceptance = 2 * time.Minute })
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	r2, err := h.deploy("registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := h.pipeline("registry.example.com/team/hello:1.2.0")
	p.Clients.S3 = &crashingS3{S3API: p.Clients.S3, crashed: true} // the lease stays behind
	var swapped string
	p.Observer = func(e progress.Event) {
		if i, ok := e.(progress.Info); ok && strings.Contains(i.Message, "now holds") && swapped == "" {
			swapped = strings.Fields(i.Message)[0]
			cancel()
		}
	}
	_, err = p.Run(ctx)
	require.Error(t, err)
	require.NotEmpty(t, swapped, "the crash came after the swap")
	require.True(t, h.sim.SetHandler(swapped, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "broken", http.StatusInternalServerError)
	})))

	h.clock.Advance(61 * time.Minute)
	r3, err := h.deploy("registry.example.com/team/hello:1.2.0")
	require.Error(t, err)
	var se *swap.Error
	require.ErrorAs(t, err, &se)
	assert.True(t, se.SwappedBack, "%v", err)
	assert.ErrorIs(t, err, acceptance.ErrFailed)
	assert.Contains(t, err.Error(), "swapped back, "+r2.Live+" is live again")
	assert.Equal(t, r2.Live, r3.Live)
	assert.Equal(t, r2.Version, h.liveVersion(), "the previous version serves live traffic again")
	assert.Equal(t, "hello.us-east-1.elasticbeanstalk.com", aws.ToString(h.environments()[r2.Live].CNAME))
}
