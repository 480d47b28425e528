// Package beanswap ships a containerised service to AWS Elastic Beanstalk
// by blue/green deployment, as a library other Go tools embed.
//
// A deploy runs these steps, each also usable on its own:
//
//	config ──► dockercfg ──► beanstalk.Deploy ──► acceptance ──► swap.Swap ──► beanstalk.Prune
//
// The steps:
//
//   - config loads the service's pym-config.yaml (pymacaron-compatible)
//     and validates it, reporting every problem with file and line.
//   - dockercfg reads the user's Docker credentials (auths, credsStore,
//     credHelpers), writes the auth file Beanstalk reads to S3, and builds
//     Dockerrun.aws.json and the source bundle.
//   - beanstalk registers the application version, creates a new
//     environment beside the live one and waits until it is Ready and
//     healthy, streaming Beanstalk's events; it also prunes old
//     environments and versions.
//   - acceptance runs the service's acceptance tests against the new
//     environment; a failure stops the deploy before live traffic moves.
//   - swap exchanges CNAMEs with the live environment, verifies the live
//     URL, swaps back by itself when verification fails, and updates the
//     Route53 record of the live host.
//   - beanstalk.Pruner then retires environments and versions beyond the
//     ones kept (the previous environment stays, for Rollback).
//
// Pipeline runs these steps under a lease (package lock) so that two
// deploys of a service never overlap, and publishes the outcome (package
// notify). Rollback and Prune are the other operations. Every step is
// safe to re-run after a crash: the state lives on AWS, in environment
// names and tags, and a re-run carries on from it.
//
// A deploy in a few lines (see ExamplePipeline for one that runs against
// the simulator):
//
//	cfg, err := config.Load("pym-config.yaml")
//	if err != nil { ... }
//	awsCfg, err := beanswap.LoadAWSConfig(ctx, cfg)
//	if err != nil { ... }
//	p := &beanswap.Pipeline{Config: cfg, Image: "team/hello:1.4.2", Clients: beanswap.NewClients(awsCfg)}
//	report, err := p.Run(ctx) // p.Plan(ctx) is the dry run
//
// AWS is reached only through small interfaces that the aws-sdk-go-v2
// clients satisfy, so every step runs against mocks, against emulators
// (moto, LocalStack) and against beanstalktest, the Elastic Beanstalk
// simulator this module ships for its tests and for yours.
package beanswap
