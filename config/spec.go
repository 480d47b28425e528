package config

import (
	"maps"
	"time"

	"github.com/beanswap/beanswap/beanstalk"
)

// Spec is the service as package beanstalk takes it: the one place
// where pym-config.yaml keys become plain Go values.
func (c *Config) Spec() beanstalk.Spec {
	keepPrevious, keepVersions := c.KeepEnvironments, c.KeepVersions
	if keepPrevious == 0 {
		keepPrevious = -1 // keep_environments: 0 keeps none
	}
	if keepVersions == 0 {
		keepVersions = -1
	}
	onFailure := beanstalk.TerminateFailed
	if c.OnFailure == OnFailureKeep {
		onFailure = beanstalk.KeepFailed
	}
	env := map[string]string{"PYM_ENV": "live"}
	maps.Copy(env, c.Env)
	options := make([]beanstalk.OptionSetting, len(c.OptionSettings))
	for i, o := range c.OptionSettings {
		options[i] = beanstalk.OptionSetting{Namespace: o.Namespace, Name: o.OptionName, Value: o.Value}
	}
	return beanstalk.Spec{
		Service:        c.Name,
		Application:    c.Application,
		Bucket:         c.DockerBucket,
		Live:           beanstalk.LiveSpec{CNAMEPrefix: c.CNAMEPrefix, ZoneID: c.AWSZoneID, Host: c.LiveHost},
		Platform:       c.Platform,
		PlatformBranch: c.PlatformBranch,
		Environment: beanstalk.EnvironmentSettings{
			InstanceProfile:      c.InstanceProfile,
			InstanceType:         c.InstanceType,
			KeyPair:              c.KeyPair,
			Type:                 c.EnvironmentType,
			LoadBalancerType:     c.LoadBalancerType,
			MinInstances:         c.HostsMin,
			MaxInstances:         c.HostsMax,
			ServiceRole:          c.ServiceRole,
			HealthReporting:      c.HealthReporting,
			HealthCheckPath:      c.HealthCheckURL,
			ContainerPort:        c.ContainerPort,
			CertificateARN:       c.CertARN,
			NotificationEmail:    c.NotificationEmail,
			NotificationTopicARN: c.NotificationTopicARN,
			Env:                  env,
			Secrets:              maps.Clone(c.Secrets),
			SecretRefs:           maps.Clone(c.SecretRefs),
			Options:              options,
		},
		Tags:               maps.Clone(c.Tags),
		OnFailure:          onFailure,
		DNSGrace:           c.Timeouts.DNSGrace,
		IgnoreLiveCapacity: !c.CapacityParity,
		Timeouts:           beanstalk.Timeouts{Launch: c.Timeouts.Launch, Terminate: c.Timeouts.Terminate, HealthGrace: grace(c.Timeouts.HealthGrace)},
		Retention: beanstalk.Retention{
			KeepPrevious:   keepPrevious,
			KeepVersions:   keepVersions,
			AbandonedAfter: c.AbandonedAfter,
			PruneUnmanaged: c.PruneUnmanaged,
		},
	}
}

// grace maps health_grace to the Spec's: 0 (none) becomes negative there,
// where zero means the default.
func grace(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}
