package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/secret"
)

// DeployTargetBeanstalk is the only deploy_target beanswap deploys.
const DeployTargetBeanstalk = "aws-beanstalk"

// DefaultPlatformBranch is the Elastic Beanstalk platform branch searched for
// the newest Docker platform when no platform is configured.
const DefaultPlatformBranch = beanstalk.DefaultPlatformBranch

// DefaultInstanceProfile is the instance profile pymacaron services have
// always run with (pymacaron never set one: Beanstalk created it then).
const DefaultInstanceProfile = "aws-elasticbeanstalk-ec2-role"

// Environment types accepted by aws_environment_type.
const (
	EnvironmentLoadBalanced   = "LoadBalanced"
	EnvironmentSingleInstance = "SingleInstance"
)

// Policies for a candidate environment whose acceptance tests failed.
const (
	OnFailureTerminate = "terminate"
	OnFailureKeep      = "keep"
)

// Docker auth file formats accepted by docker_auth_format.
const (
	AuthFormatAuths  = "auths"
	AuthFormatLegacy = "legacy"
	// AuthFormatNone writes no auth file: the image is public.
	AuthFormatNone = "none"
)

// Config is a loaded and validated pym-config.yaml. The zero value is not
// useful: build one with Load, Parse or Default. Every field documents its
// YAML key and its default.
type Config struct {
	// File is the path the configuration was read from ("" for Default).
	File string `json:"file,omitempty"`

	// Name (name, required) names the service: the Beanstalk application
	// (unless Application is set), its environments and its versions.
	Name string `json:"name"`
	// LiveHost (live_host, required) is the public host name of the live
	// service, e.g. api.example.com.
	LiveHost string `json:"live_host"`
	// LiveURL (live_url) is the URL the live service answers on; default
	// http(s)://LiveHost depending on CertARN.
	LiveURL string `json:"live_url,omitempty"`
	// DockerRepo (docker_repo) is the registry/organisation images are
	// pushed to; the default image is DockerRepo/Name:version.
	DockerRepo string `json:"docker_repo,omitempty"`
	// DeployTarget (deploy_target) must be "aws-beanstalk", the default.
	DeployTarget string `json:"deploy_target"`
	// DockerBucket (docker_bucket, required) is the S3 bucket holding the
	// registry auth file (docker/dockercfg), source bundles and the deploy lock.
	DockerBucket string `json:"docker_bucket"`
	// AWSProfile (aws_user) is the AWS shared-config profile; "" uses the
	// SDK's default chain.
	AWSProfile string `json:"aws_user,omitempty"`
	// AWSRegion (aws_region) is the region; "" uses the profile's region.
	AWSRegion string `json:"aws_region,omitempty"`
	// AWSZoneID (aws_zone_id) is the Route53 hosted zone holding LiveHost;
	// with it the live environment is found from the record and the record
	// is updated after a swap.
	AWSZoneID string `json:"aws_zone_id,omitempty"`

	// InstanceType (aws_instance_type) is the EC2 instance type; default t3.micro.
	InstanceType string `json:"aws_instance_type"`
	// KeyPair (aws_keypair) is the EC2 key pair for SSH; "" means none.
	KeyPair string `json:"aws_keypair,omitempty"`
	// CertARN (aws_cert_arn) turns on an HTTPS :443 listener with this
	// certificate, forwarding to the container port.
	CertARN string `json:"aws_cert_arn,omitempty"`
	// HostsMin and HostsMax (aws_hosts_min, aws_hosts_max) bound the auto
	// scaling group; defaults 1 and 4.
	HostsMin int `json:"aws_hosts_min"`
	HostsMax int `json:"aws_hosts_max"`
	// CapacityParity (capacity_parity) starts the new environment with at
	// least as many instances as the live one has in service (capped by
	// aws_hosts_max), and lowers its minimum back to aws_hosts_min once it
	// is live; default true.
	CapacityParity bool `json:"capacity_parity"`
	// EnvSecrets (env_secrets) names process environment variables whose
	// values become container environment variables. Each must be set and
	// non-empty when the configuration is loaded (unless SkipSecrets).
	EnvSecrets []string `json:"env_secrets,omitempty"`
	// Secrets holds the values of EnvSecrets, by name; they never print.
	Secrets map[string]secret.Value `json:"-"`
	// SecretRefs (env_secret_refs) maps container environment variables
	// to the full ARN of a Secrets Manager secret or an SSM parameter,
	// which the instances read at boot: the values never leave AWS.
	SecretRefs map[string]string `json:"env_secret_refs,omitempty"`

	// Application (aws_application) is the Beanstalk application; default Name.
	Application string `json:"aws_application"`
	// CNAMEPrefix (aws_cname_prefix) is the CNAME prefix of the live
	// environment; default Name.
	CNAMEPrefix string `json:"aws_cname_prefix"`
	// Platform (aws_platform) is a platform ARN or solution stack name; ""
	// picks the recommended (else newest) version of PlatformBranch.
	Platform string `json:"aws_platform,omitempty"`
	// PlatformBranch (aws_platform_branch); default DefaultPlatformBranch.
	PlatformBranch string `json:"aws_platform_branch"`
	// InstanceProfile (aws_instance_profile) is the IAM instance profile of
	// the EC2 instances; default aws-elasticbeanstalk-ec2-role, the one
	// Beanstalk's console creates (a deploy checks it exists first).
	InstanceProfile string `json:"aws_instance_profile"`
	// ServiceRole (aws_service_role) is the Beanstalk service role; enhanced
	// health needs one.
	ServiceRole string `json:"aws_service_role,omitempty"`
	// EnvironmentType (aws_environment_type): LoadBalanced (default) or SingleInstance.
	EnvironmentType string `json:"aws_environment_type"`
	// LoadBalancerType (aws_load_balancer_type): application (default), network or classic.
	LoadBalancerType string `json:"aws_load_balancer_type"`
	// HealthReporting (aws_health_reporting): enhanced (default when a
	// service role is set) or basic.
	HealthReporting string `json:"aws_health_reporting"`
	// NotificationEmail (aws_notification_email) subscribes an address to
	// the environment's Beanstalk event notifications.
	NotificationEmail string `json:"aws_notification_email,omitempty"`
	// NotificationTopicARN (aws_notification_topic_arn) sends the
	// environment's Beanstalk event notifications to an existing SNS topic.
	NotificationTopicARN string `json:"aws_notification_topic_arn,omitempty"`
	// OptionSettings (aws_option_settings) are passed to Beanstalk as is,
	// after the settings beanswap derives (so they win).
	OptionSettings []OptionSetting `json:"aws_option_settings,omitempty"`
	// Tags (aws_tags) are added to every environment beanswap creates.
	Tags map[string]string `json:"aws_tags,omitempty"`

	// ContainerPort (container_port) is the port the container listens on; default 80.
	ContainerPort int `json:"container_port"`
	// HealthCheckURL (health_check_url) is the path the load balancer
	// checks; default /ping.
	HealthCheckURL string `json:"health_check_url"`
	// Env (env_vars) are plain container environment variables, added to
	// PORT (ContainerPort) and PYM_ENV=live.
	Env map[string]string `json:"env_vars,omitempty"`
	// DockerBucketOwner (docker_bucket_owner) is the account that must own
	// docker_bucket; default the deploying account (from STS).
	DockerBucketOwner string `json:"docker_bucket_owner,omitempty"`
	// DockerAuthFormat (docker_auth_format): auths (default), legacy, or
	// none for a public image (no auth file).
	DockerAuthFormat string `json:"docker_auth_format"`
	// BundleDir (bundle_dir) is the service's directory whose .ebextensions/
	// and .platform/ go into the source bundle; relative to the
	// configuration file. "" ships none.
	BundleDir string `json:"bundle_dir,omitempty"`
	// DockerCompose (docker_compose) is a docker-compose.yml to run in
	// place of the single image (Docker platform on Amazon Linux 2 and
	// 2023); relative to the configuration file. Its service running the
	// deployed image names it ${BEANSWAP_IMAGE}.
	DockerCompose string `json:"docker_compose,omitempty"`

	// KeepEnvironments (keep_environments) is how many previous environments
	// prune keeps besides the live one; default 1 (for rollback).
	KeepEnvironments int `json:"keep_environments"`
	// KeepVersions (keep_versions) is how many unused application versions
	// prune keeps; default 10.
	KeepVersions int `json:"keep_versions"`

	// PruneAfterDeploy (prune_after_deploy) prunes old environments and
	// versions after a successful deploy, and when the version quota is
	// hit; default true.
	PruneAfterDeploy bool `json:"prune_after_deploy"`
	// PruneUnmanaged (prune_unmanaged) lets prune terminate environments of
	// the application that beanswap did not create; default false.
	PruneUnmanaged bool `json:"prune_unmanaged"`
	// AbandonedAfter (abandoned_after) is the age after which a launching
	// environment that never went live counts as abandoned by a crashed
	// run, and may be pruned; default 2h.
	AbandonedAfter time.Duration `json:"abandoned_after"`

	// Lock (lock) takes a lease in docker_bucket before a deploy changes
	// anything, so that two deploys of the service never overlap; default true.
	Lock bool `json:"lock"`
	// LockTTL (lock_ttl) is how long a lease lasts unless renewed (each
	// step renews it); a crashed deploy's lease expires after it; default 1h.
	LockTTL time.Duration `json:"lock_ttl"`
	// LockWait (lock_wait) is how long to wait for a lease another deploy
	// holds; default 0: fail at once, naming the holder.
	LockWait time.Duration `json:"lock_wait"`

	// NotifyTopicARN (notify_sns_topic_arn) receives the outcome of every
	// deploy, swap, rollback and prune, as JSON.
	NotifyTopicARN string `json:"notify_sns_topic_arn,omitempty"`

	// SwapSoak (swap_soak) is how long the new live environment is
	// watched after a swap before it is checked again (and swapped back
	// if it fails); default 1m.
	SwapSoak time.Duration `json:"swap_soak"`

	// Timeouts bound every wait.
	Timeouts Timeouts `json:"timeouts"`

	// AcceptanceChecks (acceptance_checks) are HTTP checks run against the
	// new environment before the swap and against the live CNAME after it;
	// default one: GET health_check_url answers 200.
	AcceptanceChecks []AcceptanceCheck `json:"acceptance_checks,omitempty"`
	// AcceptanceCommand (acceptance_command) is an external test command
	// (argv, no shell) run against the new environment, with
	// PYM_SERVER_HOST, PYM_SERVER_PORT and NO_SSL_CHECK set as pymacaron's
	// acceptance tests expect.
	AcceptanceCommand []string `json:"acceptance_command,omitempty"`
	// OnFailure (on_failure) is what happens to a new environment that
	// fails to launch or fails acceptance: terminate (default) or keep,
	// for debugging (it keeps billing).
	OnFailure string `json:"on_failure"`

	// Notes lists what was accepted but ignored (keys of other deploy
	// targets, application settings), for the caller to show.
	Notes []Note `json:"-"`
}

// Timeouts bound the waits of a deploy. Keys: launch_timeout,
// swap_timeout, acceptance_timeout, terminate_timeout.
type Timeouts struct {
	// Launch bounds the wait for a new environment to be Ready and healthy; default 30m.
	Launch time.Duration `json:"launch"`
	// Swap bounds a CNAME swap and its DNS verification; default 10m.
	Swap time.Duration `json:"swap"`
	// Acceptance bounds the acceptance tests; default 10m.
	Acceptance time.Duration `json:"acceptance"`
	// Terminate bounds the wait for an environment to terminate; default 20m.
	Terminate time.Duration `json:"terminate"`
	// DNSGrace (dns_grace) is how long an environment that stopped being
	// live is left running before it may be terminated; default 90s
	// (the CNAME's 60 s TTL and a margin).
	DNSGrace time.Duration `json:"dns_grace"`
	// HealthGrace (health_grace) is how long after Ready a new
	// environment may show Yellow or Red while it warms up; default 3m.
	HealthGrace time.Duration `json:"health_grace"`
}

// OptionSetting is one Beanstalk configuration option.
type OptionSetting struct {
	Namespace  string `json:"namespace" yaml:"namespace"`
	OptionName string `json:"option_name" yaml:"option_name"`
	Value      string `json:"value" yaml:"value"`
	// ResourceName targets a resource in the namespace (rarely needed).
	ResourceName string `json:"resource_name,omitempty" yaml:"resource_name"`
}

// AcceptanceCheck is one HTTP acceptance check. In Equals and
// BodyContains, "{version}" stands for the deployed version label.
type AcceptanceCheck struct {
	Name         string `json:"name,omitempty" yaml:"name"`
	Method       string `json:"method,omitempty" yaml:"method"`
	Path         string `json:"path" yaml:"path"`
	Status       int    `json:"status,omitempty" yaml:"status"`
	BodyContains string `json:"body_contains,omitempty" yaml:"body_contains"`
	JSONField    string `json:"json_field,omitempty" yaml:"json_field"`
	Equals       string `json:"equals,omitempty" yaml:"equals"`
}

// Note is something the loader accepted without using it.
type Note struct {
	File    string
	Line    int
	Key     string
	Message string
}

func (n Note) String() string { return location(n.File, n.Line) + n.Key + ": " + n.Message }

// Default returns a configuration holding every default, with no file.
func Default() *Config {
	return &Config{
		DeployTarget:     DeployTargetBeanstalk,
		InstanceType:     "t3.micro",
		HostsMin:         1,
		HostsMax:         4,
		PlatformBranch:   DefaultPlatformBranch,
		InstanceProfile:  DefaultInstanceProfile,
		EnvironmentType:  EnvironmentLoadBalanced,
		LoadBalancerType: "application",
		ContainerPort:    80,
		HealthCheckURL:   "/ping",
		DockerAuthFormat: AuthFormatAuths,
		OnFailure:        OnFailureTerminate,
		PruneAfterDeploy: true,
		CapacityParity:   true,
		AbandonedAfter:   2 * time.Hour,
		Lock:             true,
		LockTTL:          time.Hour,
		KeepEnvironments: 1,
		KeepVersions:     10,
		SwapSoak:         time.Minute,
		Timeouts: Timeouts{
			Launch:      30 * time.Minute,
			Swap:        10 * time.Minute,
			Acceptance:  10 * time.Minute,
			Terminate:   20 * time.Minute,
			HealthGrace: 3 * time.Minute,
			DNSGrace:    90 * time.Second,
		},
		Secrets: map[string]secret.Value{},
	}
}

// applyDerivedDefaults fills the defaults that depend on other keys.
func (c *Config) applyDerivedDefaults() {
	// pymacaron's docs call live_host a URL, and some files hold one.
	if strings.Contains(c.LiveHost, "://") {
		if u, err := url.Parse(c.LiveHost); err == nil && u.Hostname() != "" {
			if c.LiveURL == "" {
				c.LiveURL = strings.TrimRight(c.LiveHost, "/")
			}
			c.LiveHost = u.Hostname()
		}
	}
	// pymacaron's own configuration gives only live_url.
	if c.LiveHost == "" && c.LiveURL != "" {
		if u, err := url.Parse(c.LiveURL); err == nil {
			c.LiveHost = u.Hostname()
		}
	}
	c.AWSZoneID = strings.TrimPrefix(c.AWSZoneID, "/hostedzone/")
	if c.Application == "" {
		c.Application = c.Name
	}
	if c.CNAMEPrefix == "" {
		c.CNAMEPrefix = c.Name
	}
	if c.HealthReporting == "" {
		c.HealthReporting = "basic"
		if c.ServiceRole != "" {
			c.HealthReporting = "enhanced"
		}
	}
	if len(c.AcceptanceChecks) == 0 && len(c.AcceptanceCommand) == 0 && strings.HasPrefix(c.HealthCheckURL, "/") {
		c.AcceptanceChecks = []AcceptanceCheck{{Name: "health", Method: "GET", Path: c.HealthCheckURL, Status: 200}}
	}
	for i := range c.AcceptanceChecks {
		ch := &c.AcceptanceChecks[i]
		if ch.Method == "" {
			ch.Method = "GET"
		}
		if ch.Status == 0 {
			ch.Status = 200
		}
		if ch.Name == "" {
			ch.Name = ch.Method + " " + ch.Path
		}
	}
	if c.LiveURL == "" && c.LiveHost != "" {
		scheme := "http://"
		if c.CertARN != "" {
			scheme = "https://"
		}
		c.LiveURL = scheme + c.LiveHost
	}
}

// Path resolves p, a path from the configuration file, against the
// file's directory.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || c.File == "" {
		return p
	}
	return filepath.Join(filepath.Dir(c.File), p)
}

// String summarises the configuration without any secret value.
func (c *Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "service %s (application %s, region %s)", c.Name, c.Application, orDefault(c.AWSRegion, "from profile"))
	if len(c.Secrets) > 0 {
		names := make([]string, 0, len(c.Secrets))
		for n := range c.Secrets {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(&b, ", secrets %s", strings.Join(names, ","))
	}
	return b.String()
}

// GoString keeps %#v from dumping fields one by one.
func (c *Config) GoString() string { return "&config.Config{" + c.String() + "}" }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
