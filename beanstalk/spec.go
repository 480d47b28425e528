package beanstalk

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Spec describes how a service runs on Elastic Beanstalk, in plain Go
// values: what Deploy creates and what Prune keeps. Zero values mean the
// documented defaults; Validate names what is missing. package config
// builds one from a pym-config.yaml (Config.Spec); an embedder without a
// YAML file fills one in directly.
type Spec struct {
	// Service names the environments and versions; required. Environment
	// names are Service plus the version ("hello-1-4-2-3f9a0c1b").
	Service string
	// Application is the Beanstalk application; default Service.
	Application string
	// Bucket receives the source bundles (beanswap/bundles/…); required
	// by Deploy. It must be in the environments' region.
	Bucket string
	// Live says how the live environment is recognised; its CNAMEPrefix
	// defaults to Service.
	Live LiveSpec
	// Platform is a platform ARN or a solution stack name; "" picks the
	// recommended (else newest) version of PlatformBranch.
	Platform string
	// PlatformBranch defaults to DefaultPlatformBranch.
	PlatformBranch string
	// Environment is the new environment's configuration.
	Environment EnvironmentSettings
	// Tags are added to every environment Deploy creates, beside
	// beanswap's own.
	Tags map[string]string
	// OnFailure is what becomes of a new environment that fails to
	// launch or fails its acceptance checks; the zero value terminates it.
	OnFailure FailurePolicy
	// DNSGrace is how long an environment that stopped being live (a
	// swap, a swap back) is left running before it may be terminated:
	// resolvers may send it traffic until the CNAME's TTL (60 seconds)
	// has passed. Default 90 seconds: the TTL and a margin.
	DNSGrace time.Duration
	// IgnoreLiveCapacity starts the new environment with its configured
	// MinSize. By default (false) a load-balanced one starts with at
	// least as many instances as the live one has in service (capped by
	// its MaxSize), so that the swap does not send peak traffic to one
	// instance; the minimum is restored once it is live
	// (Deployment.RestoreCapacity).
	IgnoreLiveCapacity bool
	// Timeouts bound the waits.
	Timeouts Timeouts
	// Retention is what Prune keeps.
	Retention Retention
}

// DefaultPlatformBranch is the platform branch whose newest Docker
// platform is used when Spec.Platform is empty.
const DefaultPlatformBranch = "Docker running on 64bit Amazon Linux 2023"

// DefaultDNSGrace is Beanstalk's CNAME TTL (60 seconds) and a margin.
const DefaultDNSGrace = 90 * time.Second

// FailurePolicy says what happens to a new environment that failed.
type FailurePolicy int

const (
	// TerminateFailed terminates it (the default): it bills until then.
	TerminateFailed FailurePolicy = iota
	// KeepFailed keeps it for debugging; it bills until terminated.
	KeepFailed
)

func (p FailurePolicy) String() string {
	if p == KeepFailed {
		return "keep"
	}
	return "terminate"
}

// Timeouts bound the waits of Deploy and Prune.
type Timeouts struct {
	// Launch bounds the wait for a new environment to be Ready and
	// healthy; default 30 minutes.
	Launch time.Duration
	// Terminate bounds the wait for an environment to terminate; default
	// 20 minutes.
	Terminate time.Duration
	// HealthGrace is how long after Ready a new environment may show
	// Yellow or Red health while it warms up; default 3 minutes (the
	// health check grace pymacaron's Auto Scaling group had). Negative:
	// none, Red fails at once.
	HealthGrace time.Duration
}

// Retention is what Prune keeps.
type Retention struct {
	// KeepPrevious is how many environments that were live before the
	// current one are kept for rollback: 0 means the default, 1; a
	// negative value keeps none.
	KeepPrevious int
	// KeepVersions is how many unused application versions are kept: 0
	// means the default, 10; a negative value keeps none.
	KeepVersions int
	// AbandonedAfter is the age after which a candidate that never went
	// live and is still launching or updating counts as abandoned by a
	// crashed deploy; default 2 hours.
	AbandonedAfter time.Duration
	// PruneUnmanaged lets Prune terminate environments of the
	// application that beanswap did not create.
	PruneUnmanaged bool
}

// Previous returns how many previous environments are kept.
func (r Retention) Previous() int { return orCount(r.KeepPrevious, 1) }

// Versions returns how many unused versions are kept.
func (r Retention) Versions() int { return orCount(r.KeepVersions, 10) }

func orCount(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return 0
	}
	return n
}

// withDefaults returns s with every default filled in.
func (s Spec) withDefaults() Spec {
	if s.Application == "" {
		s.Application = s.Service
	}
	if s.Live.CNAMEPrefix == "" {
		s.Live.CNAMEPrefix = s.Service
	}
	if s.PlatformBranch == "" {
		s.PlatformBranch = DefaultPlatformBranch
	}
	if s.Timeouts.Launch <= 0 {
		s.Timeouts.Launch = 30 * time.Minute
	}
	if s.Timeouts.Terminate <= 0 {
		s.Timeouts.Terminate = 20 * time.Minute
	}
	switch {
	case s.Timeouts.HealthGrace == 0:
		s.Timeouts.HealthGrace = 3 * time.Minute
	case s.Timeouts.HealthGrace < 0:
		s.Timeouts.HealthGrace = 0
	}
	if s.DNSGrace <= 0 {
		s.DNSGrace = DefaultDNSGrace
	}
	if s.Retention.AbandonedAfter <= 0 {
		s.Retention.AbandonedAfter = 2 * time.Hour
	}
	return s
}

// ErrInvalidSpec is wrapped by every error Validate returns.
var ErrInvalidSpec = errors.New("invalid beanstalk spec")

// Validate reports what keeps s from being deployed, naming each field.
// Deploy, Plan and Prune call it first.
func (s Spec) Validate() error { return s.validate(false) }

// validate also requires a Bucket when the caller uploads bundles.
func (s Spec) validate(needBucket bool) error {
	var errs []error
	bad := func(field, why string) { errs = append(errs, fmt.Errorf("%s: %s", field, why)) }
	if s.Service == "" {
		bad("Spec.Service", "required: it names environments and versions")
	} else if sanitize(s.Service) == "" || len(sanitize(s.Service)) > 23 {
		bad("Spec.Service", fmt.Sprintf("%q: want 1 to 23 letters, digits or hyphens (it prefixes 40-character environment names)", s.Service))
	}
	if needBucket && s.Bucket == "" {
		bad("Spec.Bucket", "required: it receives the source bundle")
	}
	if p := s.withDefaults().Live.CNAMEPrefix; p != "" && !validPrefix(p) {
		bad("Spec.Live.CNAMEPrefix", fmt.Sprintf("%q: want 4 to 63 letters, digits or inner hyphens", p))
	}
	if s.Environment.InstanceProfile == "" {
		bad("Spec.Environment.InstanceProfile", "required: Beanstalk no longer creates one (see README, AWS prerequisites)")
	}
	if lo, hi := s.Environment.MinInstances, s.Environment.MaxInstances; lo < 0 || hi < 0 || (hi > 0 && lo > hi) {
		bad("Spec.Environment", fmt.Sprintf("MinInstances %d, MaxInstances %d: want 0 <= min <= max", lo, hi))
	}
	for _, name := range slices.Sorted(maps.Keys(s.Environment.SecretRefs)) {
		_, plain := s.Environment.Env[name]
		_, hidden := s.Environment.Secrets[name]
		switch err := CheckSecretRef(s.Environment.SecretRefs[name]); {
		case !validEnvName(name):
			bad("Spec.Environment.SecretRefs", fmt.Sprintf("%q: expected an environment variable name", name))
		case plain || hidden:
			bad("Spec.Environment.SecretRefs", name+" is also a plain or secret variable; keep one")
		case err != nil:
			bad("Spec.Environment.SecretRefs["+name+"]", err.Error())
		}
	}
	for _, o := range s.Environment.Options {
		if strings.HasPrefix(o.Namespace, "aws:rds:") {
			bad("Spec.Environment.Options", fmt.Sprintf("%s %s: a database coupled to the environment is lost at every blue/green deploy; create it outside Beanstalk", o.Namespace, o.Name))
			break
		}
	}
	if s.OnFailure != TerminateFailed && s.OnFailure != KeepFailed {
		bad("Spec.OnFailure", fmt.Sprintf("%d: want TerminateFailed or KeepFailed", s.OnFailure))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalidSpec, errors.Join(errs...))
}

func validPrefix(p string) bool {
	if len(p) < 4 || len(p) > maxCNAMEPrefix || p[0] == '-' || p[len(p)-1] == '-' {
		return false
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// validEnvName: a letter or underscore, then letters, digits, underscores.
func validEnvName(n string) bool {
	for i, r := range n {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return n != ""
}
