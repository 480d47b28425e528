package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/progress"
	"github.com/beanswap/beanswap/swap"
)

// Exit codes, for scripts and CI.
const (
	exitOK          = 0
	exitFailed      = 1   // the deploy failed; live traffic was not moved
	exitUsage       = 2   // bad flags or configuration
	exitSwappedBack = 3   // the new version went live, failed verification, and was swapped back
	exitAttention   = 4   // live traffic may be in an unexpected place: look now
	exitCanceled    = 130 // interrupted
)

// common are the flags every AWS command takes.
type common struct {
	configPath string
	jsonOut    bool
	verbose    bool
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.configPath, "config", "pym-config.yaml", "the service's pym-config.yaml")
	fs.BoolVar(&c.jsonOut, "json", false, "print progress and the result as JSON lines, for CI")
	fs.BoolVar(&c.verbose, "v", false, "print every check attempt and debug logs")
}

// parse parses flags; it returns an exit code when the command must stop.
func parse(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return 0, true
}

// output renders progress as text or JSON.
type output struct {
	stdout, stderr io.Writer
	json           *jsonRenderer
	text           *textRenderer
	verbose        bool
}

func newOutput(c common, stdout, stderr io.Writer, start time.Time) *output {
	o := &output{stdout: stdout, stderr: stderr, verbose: c.verbose}
	if c.jsonOut {
		o.json = newJSONRenderer(stdout)
	} else {
		o.text = newTextRenderer(stdout, start, c.verbose)
	}
	return o
}

func (o *output) observer() progress.Observer {
	if o.json != nil {
		return o.json.observe
	}
	return o.text.observe
}

func (o *output) logger() *slog.Logger {
	if !o.verbose {
		return nil
	}
	return slog.New(slog.NewTextHandler(o.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (o *output) printf(format string, args ...any) {
	if o.json == nil {
		fmt.Fprintf(o.stdout, format, args...)
	}
}

// loadConfig loads the configuration, printing its notes.
func loadConfig(path string, stderr io.Writer, opts ...config.Option) (*config.Config, error) {
	cfg, err := config.Load(path, opts...)
	if err != nil {
		return nil, err
	}
	for _, n := range cfg.Notes {
		fmt.Fprintln(stderr, "note:", n)
	}
	return cfg, nil
}

// connect loads the configuration and the AWS clients for a command; on
// failure it has printed why and returns the exit code.
func connect(ctx context.Context, command string, c common, stderr io.Writer, opts ...config.Option) (*config.Config, beanswap.Clients, int) {
	cfg, err := loadConfig(c.configPath, stderr, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "beanswap %s: %v\n", command, err)
		return nil, beanswap.Clients{}, exitUsage
	}
	awsCfg, err := beanswap.LoadAWSConfig(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "beanswap %s: %v\n", command, err)
		return nil, beanswap.Clients{}, exitUsage
	}
	return cfg, beanswap.NewClients(awsCfg), exitOK
}

// exitCode maps a pipeline error to the exit codes above.
func exitCode(ctx context.Context, err error) int {
	var se *swap.Error
	switch {
	case err == nil:
		return exitOK
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return exitCanceled
	case errors.As(err, &se) && se.SwapBackErr != nil:
		return exitAttention
	case errors.As(err, &se) && se.SwappedBack:
		return exitSwappedBack
	case errors.As(err, &se) && se.Stage != "swap":
		return exitAttention
	case errors.Is(err, beanstalk.ErrLaunchFailed), errors.Is(err, acceptance.ErrFailed), errors.Is(err, beanstalk.ErrTimeout):
		return exitFailed
	default:
		var verr *config.ValidationError
		if errors.As(err, &verr) {
			return exitUsage
		}
		return exitFailed
	}
}

// summary prints the end of a run for people, or as one JSON object.
func (o *output) summary(r *beanswap.Report, err error) {
	if o.json != nil {
		m := map[string]any{"type": "result", "ok": err == nil}
		if r != nil {
			m["service"], m["image"], m["version"] = r.Service, r.Image, r.Version
			m["live"], m["live_cname"], m["took_seconds"] = r.Live, r.LiveCNAME, r.Took.Seconds()
			if r.Deployment != nil {
				m["environment"] = r.Deployment.Name()
				m["first_deploy"], m["already_live"] = r.Deployment.FirstDeploy, r.Deployment.AlreadyLive
			}
			if r.Swap != nil {
				m["previous"] = r.Swap.Previous
			}
		}
		if err != nil {
			m["error"] = err.Error()
		}
		o.json.emit(m)
		return
	}
	if r == nil {
		fmt.Fprintf(o.stdout, "\nFAILED: %v\n", err)
		return
	}
	if err != nil {
		fmt.Fprintf(o.stdout, "\nFAILED after %s: %v\n", round(r.Took), err)
		if r.Live != "" {
			fmt.Fprintf(o.stdout, "  live:     %s %s\n", r.Live, parens(r.LiveCNAME))
		}
		return
	}
	fmt.Fprintf(o.stdout, "\ndeployed %s %s in %s\n", r.Service, r.Version, round(r.Took))
	fmt.Fprintf(o.stdout, "  live:     %s %s\n", r.Live, parens(r.LiveCNAME))
	if r.Swap != nil {
		fmt.Fprintf(o.stdout, "  previous: %s (kept for rollback)\n", r.Swap.Previous)
	}
}

func parens(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}
