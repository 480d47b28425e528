package acceptance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/internal/proc"
	"github.com/beanswap/beanswap/progress"
)

// Command runs an external acceptance suite against the target, without a
// shell: pass or fail by exit code, output streamed line by line. The
// process sees the target the way pymacaron's pymtest expects it:
// PYM_SERVER_HOST, PYM_SERVER_PORT and NO_SSL_CHECK=1, plus
// BEANSWAP_TARGET_URL and BEANSWAP_TARGET_VERSION.
type Command struct {
	// Argv is the program and its arguments; {url}, {host}, {port} and
	// {version} in them are replaced.
	Argv []string
	// Dir is the working directory; default the current one.
	Dir string
	// Env adds KEY=VALUE entries to the inherited environment.
	Env []string
	// Timeout bounds the run; default 10 minutes.
	Timeout time.Duration
	// Observer receives each line of output.
	Observer progress.Observer
	// Clock stamps the output events; default the wall clock.
	Clock clock.Clock
	// TailLines is how much output a failure quotes; default 20.
	TailLines int
}

// Check implements Checker.
func (c *Command) Check(ctx context.Context, t Target) error {
	if len(c.Argv) == 0 || c.Argv[0] == "" {
		return errors.New("acceptance command: no program given")
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	argv := make([]string, len(c.Argv))
	for i, a := range c.Argv {
		argv[i] = t.expand(a)
	}
	name := strings.Join(argv, " ")
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(),
		"PYM_SERVER_HOST="+t.Host(),
		"PYM_SERVER_PORT="+strconv.Itoa(t.Port()),
		"NO_SSL_CHECK=1",
		"BEANSWAP_TARGET_URL="+t.URL,
		"BEANSWAP_TARGET_VERSION="+t.Version,
	)
	cmd.Env = append(cmd.Env, c.Env...)
	cmd.WaitDelay = 5 * time.Second
	proc.KillGroupOnCancel(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("acceptance command %s: %w", name, err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return fmt.Errorf("acceptance command %s: %w", name, err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start acceptance command %s: %w", name, err)
	}

	keep := c.TailLines
	if keep <= 0 {
		keep = 20
	}
	// One tail per stream: their lines interleave in no reliable order.
	tails := map[string]*tailBuffer{"stdout": {max: keep}, "stderr": {max: keep}}
	emit := progress.Serialized(c.Observer)
	clk := clock.Or(c.Clock)
	var wg sync.WaitGroup
	for stream, r := range map[string]io.Reader{"stdout": stdout, "stderr": stderr} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			readLines(r, func(line string) {
				tails[stream].add(line)
				emit.Emit(progress.Output{At: clk.Now(), Stream: stream, Line: line})
			})
		}()
	}
	wg.Wait() // the pipes must be drained before Wait closes them
	err = cmd.Wait()
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return &Failure{Check: name, Target: t.URL, Attempts: 1, Detail: fmt.Sprintf("stopped: %v", context.Cause(ctx)) + tails["stderr"].quote("stderr") + tails["stdout"].quote("stdout")}
	default:
		return &Failure{Check: name, Target: t.URL, Attempts: 1, Detail: err.Error() + tails["stderr"].quote("stderr") + tails["stdout"].quote("stdout")}
	}
}

// maxLine is how much of one output line is kept; the rest is read and
// dropped, so that a test printing a huge line never blocks on its pipe.
const maxLine = 64 << 10

// readLines calls line for each line of r, cut at maxLine, until r ends.
// It always drains r.
func readLines(r io.Reader, line func(string)) {
	br := bufio.NewReaderSize(r, 4096)
	var cur []byte
	cut := 0
	for {
		chunk, err := br.ReadSlice('\n')
		if room := maxLine - len(cur); room > 0 {
			cur = append(cur, chunk[:min(len(chunk), room)]...)
			cut += len(chunk) - min(len(chunk), room)
		} else {
			cut += len(chunk)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(cur) > 0 || cut > 0 {
			text := strings.TrimRight(string(cur), "\r\n")
			if cut > 0 {
				text += fmt.Sprintf(" … (%d more bytes of this line not shown)", cut)
			}
			line(text)
		}
		cur, cut = cur[:0], 0
		if err != nil {
			return
		}
	}
}

// tailBuffer keeps the last lines of output.
type tailBuffer struct {
	mu    sync.Mutex
	max   int
	lines []string
}

func (b *tailBuffer) add(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lines = append(b.lines, line)
	if len(b.lines) > b.max {
		b.lines = b.lines[len(b.lines)-b.max:]
	}
}

func (b *tailBuffer) quote(stream string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.lines) == 0 {
		return ""
	}
	return "; last " + stream + ":\n  " + strings.Join(b.lines, "\n  ")
}
