package config

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/secret"
)

var (
	namePattern         = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$`)
	hostPattern         = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\.?$`)
	bucketPattern       = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	regionPattern       = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)
	zoneIDPattern       = regexp.MustCompile(`^Z[A-Z0-9]{1,32}$`)
	instanceTypePattern = regexp.MustCompile(`^[a-z0-9-]+\.[a-z0-9-]+$`)
	envVarPattern       = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	accountPattern      = regexp.MustCompile(`^\d{12}$`)
	platformARNPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:elasticbeanstalk:[a-z0-9-]+:\d*:platform/.+`)
)

var validMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

// maxNameLength leaves room in the 40-character environment name for a
// version suffix.
const maxNameLength = 23

// Validate checks a configuration built in Go (Default plus edits) the way
// Load checks a file. It fills derived defaults first.
func (c *Config) Validate() error {
	c.applyDerivedDefaults()
	if ps := c.validate(nil, nil); len(ps) > 0 {
		return &ValidationError{Problems: ps}
	}
	return nil
}

// validate returns every problem of c; sources locates each key.
// Keys in failed already have a problem and are not checked again.
func (c *Config) validate(sources map[string]source, failed map[string]bool) []Problem {
	v := validator{c: c, sources: sources, failed: failed}

	v.required("name", c.Name, "the service name, e.g. name: hello")
	if c.Name != "" && (!namePattern.MatchString(c.Name) || len(c.Name) > maxNameLength) {
		v.add("name", fmt.Sprintf("%q: expected 1 to %d letters, digits or inner hyphens (it names environments)", c.Name, maxNameLength))
	}
	switch c.DeployTarget {
	case DeployTargetBeanstalk:
	default:
		v.add("deploy_target", fmt.Sprintf("%q is not deployable by beanswap; expected %q", c.DeployTarget, DeployTargetBeanstalk))
	}
	v.liveHost()
	if c.LiveURL != "" && !v.failed["live_host"] {
		if u, err := url.Parse(c.LiveURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.add("live_url", fmt.Sprintf("%q: expected an http:// or https:// URL", c.LiveURL))
		}
	}
	v.required("docker_bucket", c.DockerBucket, "the S3 bucket for the registry auth file and source bundles")
	if c.DockerBucket != "" && (!bucketPattern.MatchString(c.DockerBucket) || strings.Contains(c.DockerBucket, "..")) {
		v.add("docker_bucket", fmt.Sprintf("%q: expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)", c.DockerBucket))
	}
	v.match("aws_region", c.AWSRegion, regionPattern, "a region such as eu-west-1")
	v.match("docker_bucket_owner", c.DockerBucketOwner, accountPattern, "a 12-digit AWS account id")
	v.match("aws_zone_id", c.AWSZoneID, zoneIDPattern, "a Route53 hosted zone id such as Z1D633PJN98FT9")
	for _, t := range strings.Split(c.InstanceType, ",") {
		if !instanceTypePattern.MatchString(strings.TrimSpace(t)) {
			v.add("aws_instance_type", fmt.Sprintf("%q: expected an EC2 instance type such as t3.micro (or a comma-separated list)", c.InstanceType))
			break
		}
	}
	if c.CertARN != "" && !strings.HasPrefix(c.CertARN, "arn:aws") {
		v.add("aws_cert_arn", fmt.Sprintf("%q: expected a certificate ARN (arn:aws:acm:…)", c.CertARN))
	}
	v.scaling()
	v.secretNames()
	v.beanstalk()
	v.container()
	return v.problems
}

type validator struct {
	c        *Config
	sources  map[string]source
	failed   map[string]bool
	problems []Problem
}

func (v *validator) add(key, msg string) {
	if v.failed[key] {
		return
	}
	at, ok := v.sources[key]
	if !ok {
		at = source{file: v.c.File}
	}
	v.problems = append(v.problems, Problem{at.file, at.line, key, msg})
}

func (v *validator) required(key, value, what string) {
	if value == "" {
		v.add(key, "required: "+what)
	}
}

func (v *validator) match(key, value string, re *regexp.Regexp, what string) {
	if value != "" && !re.MatchString(value) {
		v.add(key, fmt.Sprintf("%q: expected %s", value, what))
	}
}

func (v *validator) liveHost() {
	c := v.c
	v.required("live_host", c.LiveHost, "the public host name of the live service, e.g. api.example.com")
	if c.LiveHost != "" && !hostPattern.MatchString(c.LiveHost) {
		v.add("live_host", fmt.Sprintf("%q: expected a host name such as api.example.com", c.LiveHost))
		v.failed = withKey(v.failed, "live_host")
	}
}

func (v *validator) scaling() {
	c := v.c
	if c.HostsMin < 1 {
		v.add("aws_hosts_min", fmt.Sprintf("%d: expected at least 1", c.HostsMin))
	}
	if c.HostsMax < c.HostsMin {
		v.add("aws_hosts_max", fmt.Sprintf("%d: expected at least aws_hosts_min (%d)", c.HostsMax, c.HostsMin))
	}
	if c.HostsMax > 10000 {
		v.add("aws_hosts_max", fmt.Sprintf("%d: expected at most 10000", c.HostsMax))
	}
	if c.KeepEnvironments < 0 {
		v.add("keep_environments", fmt.Sprintf("%d: expected 0 or more", c.KeepEnvironments))
	}
	if c.KeepVersions < 0 {
		v.add("keep_versions", fmt.Sprintf("%d: expected 0 or more", c.KeepVersions))
	}
	for key, d := range map[string]int64{
		"launch_timeout": int64(c.Timeouts.Launch), "swap_timeout": int64(c.Timeouts.Swap),
		"acceptance_timeout": int64(c.Timeouts.Acceptance), "terminate_timeout": int64(c.Timeouts.Terminate),
		"abandoned_after": int64(c.AbandonedAfter), "lock_ttl": int64(c.LockTTL), "swap_soak": int64(c.SwapSoak),
	} {
		if d <= 0 {
			v.add(key, "expected a positive duration")
		}
	}
}

func (v *validator) secretNames() {
	seen := map[string]bool{}
	for _, name := range v.c.EnvSecrets {
		switch {
		case !envVarPattern.MatchString(name):
			v.add("env_secrets", fmt.Sprintf("%q: expected an environment variable name", name))
		case seen[name]:
			v.add("env_secrets", fmt.Sprintf("%s is listed twice", name))
		case v.c.Env[name] != "":
			v.add("env_secrets", fmt.Sprintf("%s is also set in env_vars; keep one", name))
		}
		seen[name] = true
	}
	for name := range v.c.Env {
		if !envVarPattern.MatchString(name) {
			v.add("env_vars", fmt.Sprintf("%q: expected an environment variable name", name))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(v.c.SecretRefs)) {
		_, plain := v.c.Env[name]
		switch err := beanstalk.CheckSecretRef(v.c.SecretRefs[name]); {
		case !envVarPattern.MatchString(name):
			v.add("env_secret_refs", fmt.Sprintf("%q: expected an environment variable name", name))
		case plain || slices.Contains(v.c.EnvSecrets, name):
			v.add("env_secret_refs", fmt.Sprintf("%s is also set in env_vars or env_secrets; keep one", name))
		case err != nil:
			v.add("env_secret_refs", name+": "+err.Error())
		}
	}
}

func (v *validator) beanstalk() {
	c := v.c
	if c.Application != "" && (len(c.Application) > 100 || strings.Contains(c.Application, "/")) {
		v.add("aws_application", fmt.Sprintf("%q: expected 1 to 100 characters without '/'", c.Application))
	}
	if c.CNAMEPrefix != "" && (!namePattern.MatchString(c.CNAMEPrefix) || len(c.CNAMEPrefix) < 4 || len(c.CNAMEPrefix) > 63) {
		if _, set := v.sources["aws_cname_prefix"]; set || c.CNAMEPrefix != c.Name {
			v.add("aws_cname_prefix", fmt.Sprintf("%q: expected 4 to 63 letters, digits or inner hyphens", c.CNAMEPrefix))
		} else if namePattern.MatchString(c.Name) {
			v.add("name", fmt.Sprintf("%q is too short to be the live CNAME prefix (4 to 63 characters): set aws_cname_prefix", c.Name))
		}
	}
	if strings.HasPrefix(c.Platform, "arn:") && !platformARNPattern.MatchString(c.Platform) {
		v.add("aws_platform", fmt.Sprintf("%q: expected a platform ARN (arn:aws:elasticbeanstalk:REGION::platform/…) or a solution stack name", c.Platform))
	}
	if c.InstanceProfile == "" {
		v.add("aws_instance_profile", "must not be empty: the EC2 instances need an instance profile (default "+DefaultInstanceProfile+"; see README, \"AWS prerequisites\")")
	}
	switch c.EnvironmentType {
	case EnvironmentLoadBalanced:
	case EnvironmentSingleInstance:
		if c.CertARN != "" {
			v.add("aws_cert_arn", "an HTTPS listener needs aws_environment_type: LoadBalanced")
		}
	default:
		v.add("aws_environment_type", fmt.Sprintf("%q: expected LoadBalanced or SingleInstance", c.EnvironmentType))
	}
	switch c.LoadBalancerType {
	case "application", "network", "classic":
	default:
		v.add("aws_load_balancer_type", fmt.Sprintf("%q: expected application, network or classic", c.LoadBalancerType))
	}
	switch c.HealthReporting {
	case "basic":
	case "enhanced":
		if c.ServiceRole == "" {
			v.add("aws_health_reporting", "enhanced health needs aws_service_role (e.g. aws-elasticbeanstalk-service-role)")
		}
	default:
		v.add("aws_health_reporting", fmt.Sprintf("%q: expected enhanced or basic", c.HealthReporting))
	}
	for key, arn := range map[string]string{"aws_notification_topic_arn": c.NotificationTopicARN, "notify_sns_topic_arn": c.NotifyTopicARN} {
		if arn != "" && !strings.HasPrefix(arn, "arn:aws") {
			v.add(key, fmt.Sprintf("%q: expected an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)", arn))
		}
	}
	for _, o := range c.OptionSettings {
		if strings.HasPrefix(o.Namespace, "aws:rds:") {
			v.add("aws_option_settings", fmt.Sprintf("%s %s: a database coupled to the environment is lost at every blue/green deploy (the new environment gets an empty one): create it outside Beanstalk and pass its endpoint in env_vars or env_secret_refs", o.Namespace, o.OptionName))
			break
		}
	}
	if c.Timeouts.DNSGrace < 0 {
		v.add("dns_grace", "expected a positive duration")
	}
	if c.Timeouts.HealthGrace < 0 {
		v.add("health_grace", "expected 0 or a positive duration")
	}
	if c.LockWait < 0 {
		v.add("lock_wait", "expected 0 or a positive duration")
	}
	if c.NotificationEmail != "" && !strings.Contains(c.NotificationEmail, "@") {
		v.add("aws_notification_email", fmt.Sprintf("%q: expected an email address", c.NotificationEmail))
	}
	if len(c.Tags) > 45 {
		v.add("aws_tags", fmt.Sprintf("%d tags: expected at most 45 (Beanstalk allows 50, beanswap adds its own)", len(c.Tags)))
	}
	for k, val := range c.Tags {
		if k == "" || len(k) > 128 || strings.HasPrefix(strings.ToLower(k), "aws:") || len(val) > 256 {
			v.add("aws_tags", fmt.Sprintf("%q: expected a key of 1-128 characters not starting with aws: and a value of at most 256", k))
		}
	}
}

func (v *validator) container() {
	c := v.c
	if c.ContainerPort < 1 || c.ContainerPort > 65535 {
		v.add("container_port", fmt.Sprintf("%d: expected a port between 1 and 65535", c.ContainerPort))
	}
	if !strings.HasPrefix(c.HealthCheckURL, "/") {
		v.add("health_check_url", fmt.Sprintf("%q: expected a path starting with /", c.HealthCheckURL))
	}
	switch c.OnFailure {
	case OnFailureTerminate, OnFailureKeep:
	default:
		v.add("on_failure", fmt.Sprintf("%q: expected terminate or keep", c.OnFailure))
	}
	for i, ch := range c.AcceptanceChecks {
		switch {
		case !strings.HasPrefix(ch.Path, "/"):
			v.add("acceptance_checks", fmt.Sprintf("check %d: path %q must start with /", i+1, ch.Path))
		case ch.Status < 100 || ch.Status > 599:
			v.add("acceptance_checks", fmt.Sprintf("check %d: status %d is not an HTTP status", i+1, ch.Status))
		case ch.Equals != "" && ch.JSONField == "":
			v.add("acceptance_checks", fmt.Sprintf("check %d: equals needs json_field", i+1))
		case !validMethods[strings.ToUpper(ch.Method)]:
			v.add("acceptance_checks", fmt.Sprintf("check %d: method %q: expected GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS", i+1, ch.Method))
		}
	}
	if len(c.AcceptanceCommand) > 0 && strings.TrimSpace(c.AcceptanceCommand[0]) == "" {
		v.add("acceptance_command", "the first item must be the program to run")
	}
	switch c.DockerAuthFormat {
	case AuthFormatAuths, AuthFormatLegacy, AuthFormatNone:
	default:
		v.add("docker_auth_format", fmt.Sprintf("%q: expected auths, legacy or none", c.DockerAuthFormat))
	}
}

// resolveSecrets reads each env_secrets variable. A missing or empty one is
// a problem naming the variable, never showing any value.
func (c *Config) resolveSecrets(lookup func(string) (string, bool), sources map[string]source) []Problem {
	at := sources["env_secrets"]
	var problems []Problem
	for _, name := range c.EnvSecrets {
		if !envVarPattern.MatchString(name) {
			continue // reported by validate
		}
		val, ok := lookup(name)
		switch {
		case !ok:
			problems = append(problems, Problem{at.file, at.line, "env_secrets", "$" + name + " is not set in the environment"})
		case val == "":
			problems = append(problems, Problem{at.file, at.line, "env_secrets", "$" + name + " is empty"})
		default:
			c.Secrets[name] = secret.New(val)
		}
	}
	return problems
}

func withKey(m map[string]bool, k string) map[string]bool {
	if m == nil {
		m = map[string]bool{}
	}
	m[k] = true
	return m
}
