package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/config"
)

func logsCommand(cl cli) *cobra.Command {
	var (
		c         common
		role, env string
		bundle    bool
		outDir    string
	)
	cmd := &cobra.Command{
		Use:   "logs [--role live|previous|candidate | --env ENVIRONMENT] [--bundle --out DIR]",
		Short: "show the last lines of an environment's logs (or save all of them, zipped)",
		Args:  cobra.NoArgs,
	}
	c.register(cmd)
	f := cmd.Flags()
	f.StringVar(&role, "role", string(beanstalk.RoleLive), "whose logs: live, previous (the rollback target) or candidate (the newest never-live environment)")
	f.StringVar(&env, "env", "", "environment whose logs to fetch (instead of --role)")
	f.BoolVar(&bundle, "bundle", false, "fetch every log of each instance, zipped, into --out")
	f.StringVar(&outDir, "out", ".", "directory for --bundle's zip files")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if env != "" && cmd.Flags().Changed("role") {
			return usageError{fmt.Errorf("give --role or --env, not both")}
		}
		switch beanstalk.Role(role) {
		case beanstalk.RoleLive, beanstalk.RolePrevious, beanstalk.RoleCandidate:
		default:
			return usageError{fmt.Errorf("--role %q: want live, previous or candidate", role)}
		}
		if bundle {
			if st, err := os.Stat(outDir); err != nil || !st.IsDir() {
				return usageError{fmt.Errorf("--out %s: not a directory", outDir)}
			}
		}
		out := newOutput(c, cl)
		svc, err := c.service(cmd.Context(), cl, out, config.SkipSecrets())
		if err != nil {
			return err
		}
		logs, err := svc.Logs(cmd.Context(), beanswap.LogsRequest{Role: beanstalk.Role(role), Environment: env, Bundle: bundle})
		if err != nil {
			out.result("", nil, err)
			return runError{err}
		}
		if bundle {
			return saveBundles(cl, out, logs, outDir)
		}
		return printTails(cl, out, logs)
	}
	return cmd
}

func printTails(cl cli, out *output, logs *beanswap.Logs) error {
	if out.json != nil {
		type section struct {
			Path  string   `json:"path"`
			Lines []string `json:"lines"`
		}
		type instance struct {
			Instance string    `json:"instance"`
			Sections []section `json:"sections"`
		}
		var all []instance
		for _, l := range logs.Instances {
			in := instance{Instance: l.Instance}
			for _, s := range l.Sections() {
				in.Sections = append(in.Sections, section{s.Path, s.Lines})
			}
			all = append(all, in)
		}
		out.json.Write(map[string]any{"type": "logs", "environment": logs.Environment, "role": logs.Role, "instances": all})
		return nil
	}
	fmt.Fprintf(cl.stdout, "logs of %s (%s), %d instance(s)\n", logs.Environment, logs.Role, len(logs.Instances))
	for _, l := range logs.Instances {
		fmt.Fprintf(cl.stdout, "\n=== %s (sampled %s) ===\n", l.Instance, l.Sampled.UTC().Format("2006-01-02 15:04:05 UTC"))
		for _, s := range l.Sections() {
			if s.Path != "" {
				fmt.Fprintf(cl.stdout, "--- %s\n", s.Path)
			}
			for _, line := range s.Lines {
				fmt.Fprintln(cl.stdout, line)
			}
		}
		if l.Truncated {
			fmt.Fprintln(cl.stdout, "(truncated)")
		}
	}
	return nil
}

func saveBundles(cl cli, out *output, logs *beanswap.Logs, dir string) error {
	var paths []string
	for _, l := range logs.Instances {
		p := filepath.Join(dir, fmt.Sprintf("%s-%s-logs.zip", logs.Environment, l.Instance))
		if err := os.WriteFile(p, l.Body, 0o600); err != nil {
			out.result("", nil, err)
			return runError{err}
		}
		paths = append(paths, p)
		if out.json == nil {
			fmt.Fprintf(cl.stdout, "saved %s (%d bytes)\n", p, len(l.Body))
		}
	}
	if out.json != nil {
		out.json.Write(map[string]any{"type": "logs", "environment": logs.Environment, "role": logs.Role, "files": paths})
	}
	return nil
}
