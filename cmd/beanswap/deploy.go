package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/beanswap/beanswap/dockercfg"
)

func deployCommand(cl cli) *cobra.Command {
	var (
		c            common
		image, tag   string
		dryRun       bool
		noSwap       bool
		pushed       bool
		dockerConfig string
	)
	cmd := &cobra.Command{
		Use:   "deploy (--image IMAGE | --tag TAG)",
		Short: "deploy an image blue/green: new environment, acceptance, verified swap, prune",
		Args:  cobra.NoArgs,
	}
	c.register(cmd)
	f := cmd.Flags()
	f.StringVarP(&image, "image", "i", "", "image to deploy")
	f.StringVarP(&tag, "tag", "t", "", "tag of docker_repo/name to deploy (instead of --image)")
	f.BoolVar(&dryRun, "dry-run", false, "print the plan and change nothing")
	f.BoolVar(&noSwap, "no-swap", false, "stage: launch and accept the new environment, leave live traffic where it is (see promote)")
	f.BoolVar(&pushed, "push", false, "wake on the changes Beanstalk pushes to EventBridge (a rule and an SQS queue made for the deploy, then removed) instead of polling for them; polls without the permissions")
	f.StringVar(&dockerConfig, "docker-config", "", "Docker config.json to read registry credentials from (default: as the docker CLI finds it)")
	f.Duration("lock-wait", 0, "wait this long for another deploy's lock (default: lock_wait from the configuration)")
	cmd.MarkFlagsMutuallyExclusive("image", "tag")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if image == "" && tag == "" {
			return usageError{fmt.Errorf("give --image IMAGE, or --tag TAG with docker_repo set in %s", c.configPath)}
		}
		if image != "" {
			if _, err := dockercfg.ParseReference(image); err != nil {
				return usageError{fmt.Errorf("--image %q: %w", image, err)}
			}
		}
		ctx := cmd.Context()
		out := newOutput(c, cl)
		svc, err := c.service(ctx, cl, out)
		if err != nil {
			return err
		}
		cfg := svc.Config
		if cmd.Flags().Changed("lock-wait") {
			cfg.LockWait, _ = cmd.Flags().GetDuration("lock-wait")
		}
		if image == "" {
			if cfg.DockerRepo == "" {
				return usageError{fmt.Errorf("--tag needs docker_repo in %s (or give --image)", c.configPath)}
			}
			image = cfg.DockerRepo + "/" + cfg.Name + ":" + tag
			if _, err := dockercfg.ParseReference(image); err != nil {
				return usageError{fmt.Errorf("--tag %q gives image %q: %w", tag, image, err)}
			}
		}
		svc.Push = pushed
		if dockerConfig != "" {
			svc.DockerOptions = append(svc.DockerOptions, dockercfg.WithConfigFile(dockerConfig))
		}
		if dryRun {
			plan, err := svc.Plan(ctx, image)
			if err != nil {
				out.result("", nil, err)
				return runError{err}
			}
			if noSwap {
				plan.Swap = "none: staged (--no-swap); promote makes it live"
			}
			if out.json != nil {
				out.json.Write(map[string]any{"type": "plan", "plan": plan.String()})
			} else {
				fmt.Fprint(cl.stdout, plan)
			}
			return nil
		}
		deploy := svc.Deploy
		if noSwap {
			deploy = svc.Stage
		}
		report, err := deploy(ctx, image)
		out.result("\n"+report.Summary(err), reportFields(report), err)
		if err != nil {
			return runError{err}
		}
		return nil
	}
	return cmd
}

func promoteCommand(cl cli) *cobra.Command {
	var c common
	cmd := &cobra.Command{
		Use:   "promote",
		Short: "make the newest staged environment (deploy --no-swap) live: checked again, swapped, verified",
		Args:  cobra.NoArgs,
	}
	c.register(cmd)
	cmd.Flags().Duration("lock-wait", 0, "wait this long for another deploy's lock (default: lock_wait from the configuration)")
	pushed := cmd.Flags().Bool("push", false, "wake on the changes Beanstalk pushes to EventBridge (as deploy --push) instead of polling for them")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		out := newOutput(c, cl)
		svc, err := c.service(ctx, cl, out)
		if err != nil {
			return err
		}
		if cmd.Flags().Changed("lock-wait") {
			svc.Config.LockWait, _ = cmd.Flags().GetDuration("lock-wait")
		}
		svc.Push = *pushed
		report, err := svc.Promote(ctx)
		out.result("\n"+report.Summary(err), reportFields(report), err)
		if err != nil {
			return runError{err}
		}
		return nil
	}
	return cmd
}
