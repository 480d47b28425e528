package beanstalk

import (
	"maps"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

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

// Environment types and load balancer types.
const (
	LoadBalanced   = "LoadBalanced"
	SingleInstance = "SingleInstance"
)

// EnvironmentSettings is a new environment's configuration in typed
// fields; OptionSettings turns it into Beanstalk's option settings. Zero
// values mean the documented defaults.
type EnvironmentSettings struct {
	// InstanceProfile is the EC2 instances' IAM instance profile; required.
	InstanceProfile string
	// InstanceType is the EC2 instance type (or a comma-separated list);
	// default t3.micro.
	InstanceType string
	// KeyPair is the EC2 key pair for SSH; "" means none.
	KeyPair string
	// Type is LoadBalanced (default) or SingleInstance.
	Type string
	// LoadBalancerType is application (default), network or classic.
	LoadBalancerType string
	// MinInstances and MaxInstances bound the Auto Scaling group of a
	// load-balanced environment; defaults 1 and 4.
	MinInstances, MaxInstances int
	// ServiceRole is Beanstalk's service role; enhanced health needs one.
	ServiceRole string
	// HealthReporting is basic or enhanced; default enhanced when a
	// ServiceRole is set, else basic.
	HealthReporting string
	// HealthCheckPath is the path the load balancer checks; default /ping.
	HealthCheckPath string
	// ContainerPort is the port the container listens on; default 80. The
	// container sees it as PORT.
	ContainerPort int
	// CertificateARN turns on an HTTPS :443 listener.
	CertificateARN string
	// NotificationEmail and NotificationTopicARN receive Beanstalk's
	// event notifications for the environment.
	NotificationEmail, NotificationTopicARN string
	// Env are plain container environment variables.
	Env map[string]string
	// Secrets are container environment variables whose values never
	// print; they win over Env.
	Secrets map[string]secret.Value
	// SecretRefs are container environment variables, by name, whose
	// values the instances fetch at boot from a Secrets Manager secret or
	// an SSM parameter, by full ARN: the values never leave AWS. The
	// platform must be released on or after 2025-03-26 and the instance
	// profile allowed to read them (see README).
	SecretRefs map[string]string
	// Options are passed to Beanstalk as they are, after the settings
	// derived from the fields above (so they win).
	Options []OptionSetting
}

func (e EnvironmentSettings) withDefaults() EnvironmentSettings {
	if e.InstanceType == "" {
		e.InstanceType = "t3.micro"
	}
	if e.Type == "" {
		e.Type = LoadBalanced
	}
	if e.LoadBalancerType == "" {
		e.LoadBalancerType = "application"
	}
	if e.MinInstances <= 0 {
		e.MinInstances = 1
	}
	if e.MaxInstances <= 0 {
		e.MaxInstances = max(4, e.MinInstances)
	}
	if e.HealthReporting == "" {
		e.HealthReporting = "basic"
		if e.ServiceRole != "" {
			e.HealthReporting = "enhanced"
		}
	}
	if e.HealthCheckPath == "" {
		e.HealthCheckPath = "/ping"
	}
	if e.ContainerPort <= 0 {
		e.ContainerPort = 80
	}
	return e
}

// The container environment variables Deploy sets on every environment,
// so that the service can report what it runs (GET /version answering
// BEANSWAP_VERSION is what the acceptance check "{version}" compares).
const (
	EnvService = "BEANSWAP_SERVICE" // Spec.Service
	EnvVersion = "BEANSWAP_VERSION" // the application version label
	EnvImage   = "BEANSWAP_IMAGE"   // the container image reference
)

// releaseEnv are the variables naming what an environment runs; they
// come last, so that nothing overrides them.
func releaseEnv(service, label, image string) []OptionSetting {
	return []OptionSetting{
		{Namespace: NamespaceEnvVars, Name: EnvService, Value: service},
		{Namespace: NamespaceEnvVars, Name: EnvVersion, Value: label},
		{Namespace: NamespaceEnvVars, Name: EnvImage, Value: image},
	}
}

// OptionSetting is one Beanstalk option whose value may be a secret.
type OptionSetting struct {
	Namespace, Name string
	Value           string
	Secret          secret.Value // set instead of Value for secrets
}

// OptionSettings derives the environment's option settings: what
// pymacaron's .ebextensions set (health check, log streaming, container
// environment, scaling, HTTPS with a certificate), what Beanstalk
// requires today (an instance profile), then Options, last so that they win.
func (e EnvironmentSettings) OptionSettings() []OptionSetting {
	e = e.withDefaults()
	var out []OptionSetting
	add := func(ns, name, value string) {
		out = append(out, OptionSetting{Namespace: ns, Name: name, Value: value})
	}

	add(NamespaceLaunch, "IamInstanceProfile", e.InstanceProfile)
	add(NamespaceLaunch, "DisableIMDSv1", "true")
	if e.KeyPair != "" {
		add(NamespaceLaunch, "EC2KeyName", e.KeyPair)
	}
	add(NamespaceInstances, "InstanceTypes", e.InstanceType)
	add(NamespaceEnvironment, "EnvironmentType", e.Type)
	if e.ServiceRole != "" {
		add(NamespaceEnvironment, "ServiceRole", e.ServiceRole)
	}
	if e.Type == LoadBalanced {
		add(NamespaceASG, "MinSize", strconv.Itoa(e.MinInstances))
		add(NamespaceASG, "MaxSize", strconv.Itoa(e.MaxInstances))
		add(NamespaceEnvironment, "LoadBalancerType", e.LoadBalancerType)
		if e.LoadBalancerType != "classic" {
			add(NamespaceProcess, "HealthCheckPath", e.HealthCheckPath)
		}
		if e.CertificateARN != "" {
			out = append(out, httpsListener(e)...)
		}
	}
	add(NamespaceHealth, "SystemType", e.HealthReporting)
	add(NamespaceApplication, "Application Healthcheck URL", e.HealthCheckPath)
	add(NamespaceLogs, "StreamLogs", "true")
	add(NamespaceLogs, "RetentionInDays", "30")
	if e.NotificationEmail != "" {
		add(NamespaceTopics, "Notification Endpoint", e.NotificationEmail)
		add(NamespaceTopics, "Notification Protocol", "email")
	}
	if e.NotificationTopicARN != "" {
		add(NamespaceTopics, "Notification Topic ARN", e.NotificationTopicARN)
	}

	plain := map[string]string{"PORT": strconv.Itoa(e.ContainerPort)}
	maps.Copy(plain, e.Env)
	for k := range e.Secrets {
		delete(plain, k)
	}
	for _, k := range slices.Sorted(maps.Keys(plain)) {
		add(NamespaceEnvVars, k, plain[k])
	}
	for _, k := range slices.Sorted(maps.Keys(e.Secrets)) {
		out = append(out, OptionSetting{Namespace: NamespaceEnvVars, Name: k, Secret: e.Secrets[k]})
	}
	out = append(out, secretRefOptions(e.SecretRefs)...)
	return append(out, e.Options...)
}

func httpsListener(e EnvironmentSettings) []OptionSetting {
	if e.LoadBalancerType == "classic" {
		return []OptionSetting{
			{Namespace: "aws:elb:listener:443", Name: "ListenerProtocol", Value: "HTTPS"},
			{Namespace: "aws:elb:listener:443", Name: "SSLCertificateId", Value: e.CertificateARN},
			{Namespace: "aws:elb:listener:443", Name: "InstancePort", Value: "80"},
			{Namespace: "aws:elb:listener:443", Name: "InstanceProtocol", Value: "HTTP"},
		}
	}
	return []OptionSetting{
		{Namespace: "aws:elbv2:listener:443", Name: "ListenerEnabled", Value: "true"},
		{Namespace: "aws:elbv2:listener:443", Name: "Protocol", Value: "HTTPS"},
		{Namespace: "aws:elbv2:listener:443", Name: "SSLCertificateArns", Value: e.CertificateARN},
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
