package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/config"
)

func swapCommand(cl cli) *cobra.Command {
	var (
		c  common
		to string
	)
	cmd := &cobra.Command{
		Use:   "swap --to ENVIRONMENT",
		Short: "make an environment live: checked, swapped, verified (swapped back if it fails)",
		Args:  cobra.NoArgs,
	}
	c.register(cmd)
	cmd.Flags().StringVar(&to, "to", "", "environment to make live (Ready, healthy, and passing the acceptance checks)")
	_ = cmd.MarkFlagRequired("to")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return switchLive(cmd, cl, c, to) }
	return cmd
}

func rollbackCommand(cl cli) *cobra.Command {
	var (
		c  common
		to string
	)
	cmd := &cobra.Command{
		Use:   "rollback",
		Short: "swap live traffic back to the previous environment: checked and verified",
		Args:  cobra.NoArgs,
	}
	c.register(cmd)
	cmd.Flags().StringVar(&to, "to", beanswap.Previous, "environment to roll back to (default: the one live before the current one)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return switchLive(cmd, cl, c, to) }
	return cmd
}

// switchLive moves live traffic to an environment: the one given, or the
// previous one.
func switchLive(cmd *cobra.Command, cl cli, c common, to string) error {
	out := newOutput(c, cl)
	svc, err := c.service(cmd.Context(), cl, out, config.SkipSecrets())
	if err != nil {
		return err
	}
	res, err := svc.SwitchLive(cmd.Context(), to)
	if err != nil {
		out.result("", nil, err)
		return runError{err}
	}
	out.result(fmt.Sprintf("\n%s is live on %s; %s kept\n", res.Live, res.LiveCNAME, res.Previous),
		map[string]any{"live": res.Live, "live_cname": res.LiveCNAME, "previous": res.Previous}, nil)
	return nil
}
