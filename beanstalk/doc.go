// Package beanstalk talks to Elastic Beanstalk for a deploy: it registers
// an application version, creates a new environment beside the live one
// (Deployer), finds the live environment without guessing (FindLive:
// the Route53 record of the live host, else the live CNAME prefix in its
// regional or legacy form), waits for environments, retires old
// environments and versions (Pruner), and terminates (Terminate).
//
// Every poll goes through one Monitor: one DescribeEnvironments and one
// DescribeEvents call per poll whatever the number of environments
// waited for, a call budget shared by every wait that uses it (AWS
// throttles the Describe calls at about 2 per second per account), and
// retries with backoff for throttling and server errors. Waits take their
// time from an injectable clock, back off from 5 to 30 seconds, stream
// Beanstalk's events as progress events, and fail at once on an ERROR or
// FATAL event or Red health with a *LaunchError carrying the events and
// enhanced health's causes, or after their timeout with a *TimeoutError.
//
// AWS errors are translated in errors.go alone: ErrNotReady, ErrNotFound,
// ErrVersionQuota, ErrEnvironmentQuota, ErrLaunchFailed, ErrTimeout.
package beanstalk
