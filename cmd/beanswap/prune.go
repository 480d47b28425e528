package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/beanswap/beanswap/config"
)

func pruneCommand(cl cli) *cobra.Command {
	var (
		c      common
		dryRun bool
	)
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "terminate old environments and delete old versions, by policy (never the live or rollback ones)",
		Args:  cobra.NoArgs,
	}
	c.register(cmd)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print what would be terminated and deleted, and change nothing")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		out := newOutput(c, cl)
		svc, err := c.service(ctx, cl, out, config.SkipSecrets())
		if err != nil {
			return err
		}
		if dryRun {
			plan, err := svc.PlanPrune(ctx)
			if err != nil {
				out.result("", nil, err)
				return runError{err}
			}
			if out.json != nil {
				out.json.Write(map[string]any{"type": "prune_plan", "terminate": plan.Terminate, "keep": plan.Keep, "delete_versions": plan.DeleteVersions})
			} else {
				fmt.Fprint(cl.stdout, plan, "nothing was changed (dry run)\n")
			}
			return nil
		}
		res, err := svc.Prune(ctx)
		if err != nil {
			out.result("", nil, err)
			return runError{err}
		}
		text := fmt.Sprintf("%sterminated %d environments, deleted %d versions", res.Plan, len(res.Terminated), len(res.Deleted))
		if len(res.Skipped) > 0 {
			text += fmt.Sprintf(", skipped %d (see warnings)", len(res.Skipped))
		}
		out.result(text+"\n", map[string]any{"terminated": res.Terminated, "deleted_versions": res.Deleted, "skipped": res.Skipped}, nil)
		return nil
	}
	return cmd
}
