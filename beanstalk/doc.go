// Package beanstalk deploys to Elastic Beanstalk, given a Spec of plain
// Go values (package config builds one from a pym-config.yaml):
//
//	spec := beanstalk.Spec{Service: "hello", Bucket: "hello-deploys",
//		Environment: beanstalk.EnvironmentSettings{InstanceProfile: "aws-elasticbeanstalk-ec2-role"}}
//	dep, err := beanstalk.Deployer{EB: ebClient, S3: s3Client}.Deploy(ctx, spec, beanstalk.Release{Image: image, Bundle: bundle})
//	passed, err := dep.Accept(ctx, checks)                                          // acceptance, failure policy applied here
//	res, err := beanstalk.Pruner{EB: ebClient}.Prune(ctx, spec, beanstalk.PruneOptions{}) // old environments and versions
//
// Deployer registers an application version, creates a new environment
// beside the live one and waits until it is Ready and healthy; it finds
// the live environment without guessing (FindLive: the Route53 record of
// the live host, else the live CNAME prefix in its regional or legacy
// form) and carries on from what an interrupted run left. A new
// environment that fails to launch or fails Deployment.Accept is handled
// here, by Spec.OnFailure. Pruner retires environments and versions by
// Spec.Retention and never terminates the live environment nor the ones
// kept for rollback, whatever plan it is handed (Apply checks a plan
// against a fresh one). Moving live traffic is package swap's.
//
// Every poll goes through one Monitor (share one through Runtime): one
// DescribeEnvironments and one DescribeEvents call per poll whatever the
// number of environments waited for, a call budget shared by every wait
// that uses it (AWS throttles the Describe calls at about 2 per second per
// account), and retries with backoff for throttling and server errors.
// Waits take their time from an injectable clock, stream Beanstalk's
// events as progress events, and fail at once on an ERROR or FATAL event
// or Red health with a *LaunchError carrying the events and enhanced
// health's causes, or after their timeout with a *TimeoutError.
//
// AWS errors are translated in errors.go alone: ErrNotReady, ErrNotFound,
// ErrVersionQuota, ErrEnvironmentQuota, ErrLaunchFailed, ErrTimeout.
package beanstalk
