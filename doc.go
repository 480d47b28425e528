// Package beanswap ships a containerised service to AWS Elastic Beanstalk
// by blue/green deployment, as a library other Go tools embed.
//
// A Service runs a service's operations from its pym-config.yaml: Deploy
// (Plan is its dry run), SwitchLive (a rollback, or a checked swap to a
// named environment), Prune (PlanPrune) and Status:
//
//	cfg, err := config.Load("pym-config.yaml")
//	if err != nil { ... }
//	awsCfg, err := beanswap.LoadAWSConfig(ctx, cfg)
//	if err != nil { ... }
//	svc := &beanswap.Service{Config: cfg, Clients: beanswap.NewClients(awsCfg)}
//	report, err := svc.Deploy(ctx, "team/hello:1.4.2") // svc.Plan(ctx, image) is the dry run
//
// A deploy is a chain of named steps, each a package usable on its own
// with plain Go values (a beanstalk.Spec, not the YAML):
//
//	config ─► dockercfg.Publish ─► beanstalk.Deployer.Deploy ─► Deployment.Accept ─► swap.Swapper.Swap ─► beanstalk.Pruner.Prune
//	(Spec)    (auth file to S3)    (new env, Ready+healthy)     (acceptance)         (verified swap)       (old envs, versions)
//
// The packages:
//
//   - config loads the service's pym-config.yaml (pymacaron-compatible),
//     validates it, reporting every problem with file and line, and
//     turns it into a beanstalk.Spec (Config.Spec).
//   - dockercfg reads the user's Docker credentials (auths, credsStore,
//     credHelpers), writes the auth file Beanstalk reads to S3, and builds
//     Dockerrun.aws.json and the source bundle.
//   - beanstalk registers the application version, creates a new
//     environment beside the live one and waits until it is Ready and
//     healthy, streaming Beanstalk's events; Deployment.Accept runs the
//     acceptance checks (package acceptance) against it. A failed
//     candidate is terminated or kept by the Spec's policy, here.
//   - swap exchanges CNAMEs with the live environment, verifies the live
//     URL, swaps back by itself when verification fails, marks what went
//     live, and updates the Route53 record of the live host.
//   - beanstalk.Pruner retires environments and versions beyond the ones
//     kept; it never terminates the live environment nor the ones kept for
//     rollback, whatever plan it is handed.
//
// The blue/green rules live in those packages, so they hold on every path
// through them, not only through Service: live traffic only moves to an
// environment that is Ready, healthy and passed its checks (Swap runs them
// itself unless handed the proof); nothing terminates the live
// environment or the ones kept for rollback. Service only orders the
// steps, holds the service's deploy lease (package lock) and publishes
// outcomes (package notify). Every step is safe to re-run after a crash:
// the state lives on AWS, in environment names and tags, and a re-run
// carries on from it.
//
// Every wait goes through a beanstalk.Monitor: one watcher per account and
// region in a process (SharedMonitor when none is given), whose batched
// polls serve every deploy's waits at once, timed by what earlier deploys
// taught, within one call budget that adapts to throttling; with
// Service.Push, deploys wake on the changes Beanstalk pushes to
// EventBridge (package push) and poll only as a safety net.
//
// AWS is reached only through small interfaces that the aws-sdk-go-v2
// clients satisfy, so every step runs against mocks, against emulators
// (moto, LocalStack) and against beanstalktest, the Elastic Beanstalk
// simulator this module ships for its tests and for yours. The CLI is
// cmd/beanswap; examples/ holds programs that embed the library.
package beanswap
