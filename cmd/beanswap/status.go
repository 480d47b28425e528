package main

import (
	"github.com/spf13/cobra"

	"github.com/beanswap/beanswap/config"
)

func statusCommand(cl cli) *cobra.Command {
	var c common
	cmd := &cobra.Command{
		Use:   "status",
		Short: "show the service's environments: live, previous, candidates, others",
		Args:  cobra.NoArgs,
	}
	c.register(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		out := newOutput(c, cl)
		svc, err := c.service(cmd.Context(), cl, out, config.SkipSecrets())
		if err != nil {
			return err
		}
		inv, err := svc.Status(cmd.Context())
		if err != nil {
			out.result("", nil, err)
			return runError{err}
		}
		if out.json != nil {
			type row struct{ Role, Name, Status, Health, Version, CNAME string }
			var rows []row
			for _, m := range inv.Members() {
				rows = append(rows, row{string(m.Role), m.Name(), string(m.Environment.Status), string(m.Environment.Health), m.Version, m.CNAME()})
			}
			out.json.Write(map[string]any{"type": "status", "application": inv.Application, "live_found_by": inv.LiveHow, "environments": rows})
			return nil
		}
		return inv.WriteTable(cl.stdout)
	}
	return cmd
}
