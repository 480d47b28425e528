package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func newRoot(cl cli) *cobra.Command {
	root := &cobra.Command{
		Use:   "beanswap",
		Short: "Blue/green deploys of a Docker image to AWS Elastic Beanstalk",
		Long: `beanswap deploys a containerised service to AWS Elastic Beanstalk blue/green:
a new environment beside the live one, acceptance tests, a verified CNAME swap,
pruning of old environments, all from the service's pym-config.yaml.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	root.AddCommand(deployCommand(cl), promoteCommand(cl), statusCommand(cl), logsCommand(cl), rollbackCommand(cl), swapCommand(cl), pruneCommand(cl), unlockCommand(cl))
	root.CompletionOptions.HiddenDefaultCmd = true
	return root
}

// normalizeArgs accepts the single-dash long flags of earlier versions
// ("-config c.yaml", "-dry-run") as their double-dash form, so that no
// flag is misread as a bundle of one-letter flags. It stops at "--".
func normalizeArgs(root *cobra.Command, args []string) []string {
	long := map[string]bool{}
	var collect func(c *cobra.Command)
	collect = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) { long[f.Name] = true })
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) { long[f.Name] = true })
		for _, sub := range c.Commands() {
			collect(sub)
		}
	}
	collect(root)
	long["help"] = true
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && len(a) > 2 {
			name, _, _ := strings.Cut(a[1:], "=")
			if long[name] {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}
