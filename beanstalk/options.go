package beanstalk

import (
	"maps"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/secret"
)

// Option namespaces beanswap sets.
const (
	NamespaceEnvironment = "aws:elasticbeanstalk:environment"
	NamespaceLaunch      = "aws:autoscaling:launchconfiguration"
	NamespaceInstances   = "aws:ec2:instances"
	NamespaceASG         = "aws:autoscaling:asg"
	NamespaceHealth      = "aws:elasticbeanstalk:healthreporting:system"
	NamespaceApplication = "aws:elasticbeanstalk:application"
	NamespaceEnvVars     = "aws:elasticbeanstalk:application:environment"
	NamespaceProcess     = "aws:elasticbeanstalk:environment:process:default"
	NamespaceTopics      = "aws:elasticbeanstalk:sns:topics"
	NamespaceLogs        = "aws:elasticbeanstalk:cloudwatch:logs"
)

// OptionSetting is one Beanstalk option whose value may be a secret.
type OptionSetting struct {
	Namespace, Name string
	Value           string
	Secret          secret.Value // set instead of Value for env_secrets
}

// OptionSettings derives an environment's configuration from cfg: what
// pymacaron's .ebextensions set (health check, log streaming, container
// environment, scaling, HTTPS with a certificate) plus what Beanstalk
// requires today (an instance profile) and cfg's own pass-through options,
// last so that they win.
func OptionSettings(cfg *config.Config) []OptionSetting {
	var out []OptionSetting
	add := func(ns, name, value string) {
		out = append(out, OptionSetting{Namespace: ns, Name: name, Value: value})
	}

	add(NamespaceLaunch, "IamInstanceProfile", cfg.InstanceProfile)
	add(NamespaceLaunch, "DisableIMDSv1", "true")
	if cfg.KeyPair != "" {
		add(NamespaceLaunch, "EC2KeyName", cfg.KeyPair)
	}
	add(NamespaceInstances, "InstanceTypes", cfg.InstanceType)
	add(NamespaceEnvironment, "EnvironmentType", cfg.EnvironmentType)
	if cfg.ServiceRole != "" {
		add(NamespaceEnvironment, "ServiceRole", cfg.ServiceRole)
	}
	if cfg.EnvironmentType == config.EnvironmentLoadBalanced {
		add(NamespaceASG, "MinSize", strconv.Itoa(cfg.HostsMin))
		add(NamespaceASG, "MaxSize", strconv.Itoa(cfg.HostsMax))
		add(NamespaceEnvironment, "LoadBalancerType", cfg.LoadBalancerType)
		if cfg.LoadBalancerType != "classic" {
			add(NamespaceProcess, "HealthCheckPath", cfg.HealthCheckURL)
		}
		if cfg.CertARN != "" {
			out = append(out, httpsListener(cfg)...)
		}
	}
	add(NamespaceHealth, "SystemType", cfg.HealthReporting)
	add(NamespaceApplication, "Application Healthcheck URL", cfg.HealthCheckURL)
	add(NamespaceLogs, "StreamLogs", "true")
	add(NamespaceLogs, "RetentionInDays", "30")
	if cfg.NotificationEmail != "" {
		add(NamespaceTopics, "Notification Endpoint", cfg.NotificationEmail)
		add(NamespaceTopics, "Notification Protocol", "email")
	}
	if cfg.NotificationTopicARN != "" {
		add(NamespaceTopics, "Notification Topic ARN", cfg.NotificationTopicARN)
	}

	plain, secrets := cfg.ContainerEnv()
	for _, k := range slices.Sorted(maps.Keys(plain)) {
		add(NamespaceEnvVars, k, plain[k])
	}
	for _, k := range slices.Sorted(maps.Keys(secrets)) {
		out = append(out, OptionSetting{Namespace: NamespaceEnvVars, Name: k, Secret: secrets[k]})
	}
	for _, o := range cfg.OptionSettings {
		add(o.Namespace, o.OptionName, o.Value)
	}
	return out
}

func httpsListener(cfg *config.Config) []OptionSetting {
	if cfg.LoadBalancerType == "classic" {
		return []OptionSetting{
			{Namespace: "aws:elb:listener:443", Name: "ListenerProtocol", Value: "HTTPS"},
			{Namespace: "aws:elb:listener:443", Name: "SSLCertificateId", Value: cfg.CertARN},
			{Namespace: "aws:elb:listener:443", Name: "InstancePort", Value: "80"},
			{Namespace: "aws:elb:listener:443", Name: "InstanceProtocol", Value: "HTTP"},
		}
	}
	return []OptionSetting{
		{Namespace: "aws:elbv2:listener:443", Name: "ListenerEnabled", Value: "true"},
		{Namespace: "aws:elbv2:listener:443", Name: "Protocol", Value: "HTTPS"},
		{Namespace: "aws:elbv2:listener:443", Name: "SSLCertificateArns", Value: cfg.CertARN},
	}
}

// sdkOptions turns settings into the SDK's type. Secrets are revealed
// here and only here, on their way to Beanstalk.
func sdkOptions(settings []OptionSetting) []types.ConfigurationOptionSetting {
	out := make([]types.ConfigurationOptionSetting, len(settings))
	for i, s := range settings {
		v := s.Value
		if !s.Secret.IsZero() {
			v = s.Secret.Reveal()
		}
		out[i] = types.ConfigurationOptionSetting{Namespace: aws.String(s.Namespace), OptionName: aws.String(s.Name), Value: aws.String(v)}
	}
	return out
}

// String shows a setting, secrets redacted.
func (s OptionSetting) String() string {
	v := s.Value
	if !s.Secret.IsZero() {
		v = secret.Redacted
	}
	return s.Namespace + ":" + s.Name + "=" + v
}
