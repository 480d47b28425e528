package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/progress"
)

// common are the flags every AWS command takes.
type common struct {
	configPath string
	jsonOut    bool
	verbose    bool
}

func (c *common) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&c.configPath, "config", "c", "pym-config.yaml", "the service's pym-config.yaml")
	cmd.Flags().BoolVar(&c.jsonOut, "json", false, "print progress and the result as JSON lines, for CI")
	cmd.Flags().BoolVarP(&c.verbose, "verbose", "v", false, "print every check attempt and debug logs")
}

// output renders progress as text or JSON lines.
type output struct {
	stdout, stderr io.Writer
	json           *progress.JSONLines
	text           *progress.Text
	verbose        bool
}

func newOutput(c common, cl cli) *output {
	o := &output{stdout: cl.stdout, stderr: cl.stderr, verbose: c.verbose}
	if c.jsonOut {
		o.json = progress.NewJSONLines(cl.stdout)
	} else {
		o.text = &progress.Text{W: cl.stdout, Start: cl.clock.Now(), Verbose: c.verbose}
	}
	return o
}

func (o *output) observer() progress.Observer {
	if o.json != nil {
		return o.json.Observe
	}
	return o.text.Observe
}

func (o *output) logger() *slog.Logger {
	if !o.verbose {
		return nil
	}
	return slog.New(slog.NewTextHandler(o.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// result prints the end of a command: text for people, one JSON object
// ({"type": "result", "ok": …}) for CI.
func (o *output) result(text string, fields map[string]any, err error) {
	if o.json != nil {
		m := map[string]any{"type": "result", "ok": err == nil}
		for k, v := range fields {
			m[k] = v
		}
		if err != nil {
			m["error"] = err.Error()
		}
		o.json.Write(m)
		return
	}
	if text != "" {
		fmt.Fprint(o.stdout, text)
	}
	if err != nil && text == "" {
		fmt.Fprintln(o.stderr, "beanswap:", err)
	}
}

// service loads the configuration and the AWS clients for a command,
// printing the configuration's notes. Its errors are usage errors: they
// come before anything is done.
func (c common) service(ctx context.Context, cl cli, o *output, opts ...config.Option) (*beanswap.Service, error) {
	cfg, err := config.Load(c.configPath, opts...)
	if err != nil {
		return nil, usageError{err}
	}
	for _, n := range cfg.Notes {
		fmt.Fprintln(cl.stderr, "note:", n)
	}
	awsCfg, err := beanswap.LoadAWSConfig(ctx, cfg)
	if err != nil {
		return nil, usageError{err}
	}
	return &beanswap.Service{
		Config:   cfg,
		Clients:  beanswap.NewClients(awsCfg),
		Clock:    cl.clock,
		Observer: o.observer(),
		Logger:   o.logger(),
	}, nil
}
