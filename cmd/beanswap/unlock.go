package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/lock"
)

func unlockCommand(cl cli) *cobra.Command {
	var (
		c     common
		runID string
	)
	cmd := &cobra.Command{
		Use:   "unlock [--run-id RUN]",
		Short: "show who holds the deploy lock; with --run-id, break that lease (after a killed deploy)",
		Long: `unlock shows who holds the service's deploy lock. A deploy killed with kill -9
leaves its lease until lock_ttl passes; once sure that run is gone, break
exactly that lease with --run-id (the run id the lock error names). A lease
another run holds is never broken.`,
		Args: cobra.NoArgs,
	}
	c.register(cmd)
	cmd.Flags().StringVar(&runID, "run-id", "", "the run whose lease to break, as the held-lock error names it")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		out := newOutput(c, cl)
		svc, err := c.service(ctx, cl, out, config.SkipSecrets())
		if err != nil {
			return err
		}
		holder, err := svc.LockHolder(ctx)
		switch {
		case errors.Is(err, lock.ErrNoLease):
			out.result("no deploy lock is held\n", map[string]any{"held": false}, nil)
			return nil
		case err != nil:
			out.result("", nil, err)
			return runError{err}
		}
		fmt.Fprintf(cl.stderr, "held by %s (run id %s)\n", holder, holder.RunID)
		if runID == "" {
			err := fmt.Errorf("nothing was done: to break this lease, run: beanswap unlock --config %s --run-id %s", c.configPath, holder.RunID)
			return usageError{err}
		}
		broken, err := svc.Unlock(ctx, runID)
		if err != nil {
			out.result("", nil, err)
			return runError{err}
		}
		out.result(fmt.Sprintf("broke the deploy lock of %s\n", broken), map[string]any{"broken_run_id": broken.RunID}, nil)
		return nil
	}
	return cmd
}
