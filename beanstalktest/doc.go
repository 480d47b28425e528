// Package beanstalktest is an in-process, wire-compatible AWS Elastic
// Beanstalk simulator, for testing deploy tools the way net/http/httptest
// serves HTTP code.
//
//	sim := beanstalktest.Start(t, beanstalktest.Options{Clock: beanstalktest.NewManualClock(time.Time{})})
//	client := elasticbeanstalk.NewFromConfig(sim.Config()) // S3 and STS on the same address
//
// NewServer (or Start, in a test) listens on a loopback port and speaks
// Elastic Beanstalk's AWS Query protocol, so the real
// *elasticbeanstalk.Client talks to it unchanged; the same address serves
// S3 (gofakes3, in memory) and STS GetCallerIdentity, routed by the
// service in each request's SigV4 credential scope, and the simulated
// environments' own HTTP traffic, routed by Host. Server.Config returns an
// aws.Config for all of it; from any other language, AWS_ENDPOINT_URL set
// to Server.URL is enough (S3 in path style).
//
// What it reproduces: applications, versions (the source bundle must be in
// its S3, the 1,000-version quota), environments with Beanstalk's name and
// CNAME rules, option settings, tags, platforms and solution stacks with
// their filters, events with filters and paging, and a lifecycle on a
// clock it owns — Launching, Ready, health Grey to Green, Updating during
// updates and CNAME swaps, Terminating, Terminated — with the events
// Beanstalk emits, "Must be Ready" errors in the wrong state, and the
// bundle checks the Docker platform makes (a launch with a broken
// Dockerrun.aws.json or a missing auth file fails as it would on AWS).
//
// The clock is a Clock: NewScaledClock runs simulated time faster than
// real time (a 5-minute launch in half a second at scale 600), and
// ManualClock only moves when told, or when a caller Sleeps on it. Hand
// the same clock to the code under test.
//
// Outcomes are scriptable per environment or version (ScriptEnvironment,
// ScriptVersion): a failed launch, late or absent health, degradation after
// a swap, any HTTP handler for the instances. Faults are injectable
// (Options.Faults, SetFaults): the Describe calls share a token bucket of 2
// calls/s with a burst of 15 as AWS Support describes and answer
// "Throttling: Rate exceeded" beyond it; random 5xx, slow answers, dropped
// connections. CallCount tells how many requests each action received.
//
// Known simplifications: one region and account; no configuration
// templates, worker tiers, managed actions or environment links; health is
// per environment, not per instance; instance traffic is plain HTTP.
package beanstalktest
