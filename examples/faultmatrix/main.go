// Command faultmatrix stress-tests the blue/green pipeline on the
// simulator: it deploys a service under every fault — throttling bursts,
// 5xx, slow answers and dropped connections on every action; a failed
// launch, late health, health degrading after the swap, failed
// acceptance, a swap that takes too long, a failing Route53 change;
// cancellation and a simulated crash at every step, each followed by a
// re-run; two and ten deploys of one service at once — many seeds each,
// then checks what the simulator's journal and everything the tool
// emitted say:
//
//   - live traffic only ever moved to a Ready, healthy environment that
//     had passed its acceptance checks;
//   - the live environment and the one kept for rollback were never
//     terminated;
//   - no environment is left that the final report does not name;
//   - the verdict (the CLI's exit code) and the report say what happened;
//   - no secret (env_secrets values, registry credentials, in any form)
//     appears in anything emitted.
//
// It prints a table, and last one line:
//
//	runs=N faults=N violations=N orphans=N leaks=N
//
// Usage:
//
//	go run ./examples/faultmatrix                 # every fault, 10 seeds each
//	go run ./examples/faultmatrix -seeds 2 -v     # fewer, and every violation spelled out
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

func main() {
	seeds := flag.Int("seeds", 10, "seeds per fault")
	first := flag.Int64("seed", 1, "first seed")
	duration := flag.Duration("duration", 0, "stop starting runs after this long (0: run them all)")
	only := flag.String("only", "", "run only the faults whose name contains this")
	verbose := flag.Bool("v", false, "print every violation")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "faultmatrix: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sum := run(ctx, os.Stdout, options{seeds: *seeds, firstSeed: *first, duration: *duration, only: *only, verbose: *verbose})
	if sum.violations+sum.orphans+sum.leaks > 0 {
		os.Exit(1)
	}
}

type options struct {
	seeds     int
	firstSeed int64
	duration  time.Duration
	only      string
	verbose   bool
}

// totals is the last line's figures.
type totals struct {
	runs, faults, violations, orphans, leaks int
}

// row is one fault's line in the table.
type row struct {
	fault      string
	runs       int
	verdicts   map[string]int
	violations int
	orphans    int
	leaks      int
	took       time.Duration
}

func run(ctx context.Context, out io.Writer, o options) totals {
	start := time.Now()
	var rows []*row
	var sum totals
	for _, f := range faults() {
		if o.only != "" && !strings.Contains(f.name, o.only) {
			continue
		}
		r := &row{fault: f.name, verdicts: map[string]int{}}
		rows = append(rows, r)
		sum.faults++
		n := o.seeds
		if f.seeds > 0 {
			n = min(n, f.seeds)
		}
		for i := range n {
			if o.duration > 0 && time.Since(start) > o.duration || ctx.Err() != nil {
				break
			}
			t0 := time.Now()
			res := runScenario(ctx, f, o.firstSeed+int64(i))
			r.took += time.Since(t0)
			r.runs++
			r.verdicts[res.verdict]++
			r.violations += len(res.violations)
			r.orphans += len(res.orphans)
			r.leaks += len(res.leaks)
			if o.verbose {
				for _, v := range append(append(res.violations, res.orphans...), res.leaks...) {
					fmt.Fprintf(out, "  %s seed %d: %s\n", f.name, o.firstSeed+int64(i), v)
				}
			}
		}
		sum.runs += r.runs
		sum.violations += r.violations
		sum.orphans += r.orphans
		sum.leaks += r.leaks
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FAULT\tRUNS\tVERDICTS\tVIOLATIONS\tORPHANS\tLEAKS\tTIME")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%d\t%s\n", r.fault, r.runs, verdicts(r.verdicts), r.violations, r.orphans, r.leaks, r.took.Round(10*time.Millisecond))
	}
	_ = tw.Flush()
	fmt.Fprintf(out, "runs=%d faults=%d violations=%d orphans=%d leaks=%d\n", sum.runs, sum.faults, sum.violations, sum.orphans, sum.leaks)
	return sum
}

func verdicts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s:%d", k, m[k])
	}
	return strings.Join(parts, " ")
}
