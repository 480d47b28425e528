package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalk"
)

const optionsBase = `name: hello
live_host: hello.example.com
docker_bucket: hello-docker
aws_instance_profile: eb-ec2
`

// TestOptionSettings checks what each configuration key turns into on the
// environment: present options with their values, and options that must
// not be sent at all (a load balancer option on a single instance fails
// CreateEnvironment).
func TestOptionSettings(t *testing.T) {
	tests := map[string]struct {
		yaml   string
		env    map[string]string
		want   map[string]string // "namespace:name" → value
		absent []string
	}{
		"defaults": {
			want: map[string]string{
				beanstalk.NamespaceLaunch + ":IamInstanceProfile":               "eb-ec2",
				beanstalk.NamespaceLaunch + ":DisableIMDSv1":                    "true",
				beanstalk.NamespaceInstances + ":InstanceTypes":                 "t3.micro",
				beanstalk.NamespaceEnvironment + ":EnvironmentType":             "LoadBalanced",
				beanstalk.NamespaceEnvironment + ":LoadBalancerType":            "application",
				beanstalk.NamespaceASG + ":MinSize":                             "1",
				beanstalk.NamespaceASG + ":MaxSize":                             "4",
				beanstalk.NamespaceProcess + ":HealthCheckPath":                 "/ping",
				beanstalk.NamespaceApplication + ":Application Healthcheck URL": "/ping",
				beanstalk.NamespaceLogs + ":StreamLogs":                         "true",
			},
			absent: []string{beanstalk.NamespaceLaunch + ":EC2KeyName", beanstalk.NamespaceEnvironment + ":ServiceRole",
				"aws:elbv2:listener:443:Protocol", beanstalk.NamespaceTopics + ":Notification Endpoint"},
		},
		"pymacaron keys": {
			yaml: "aws_instance_type: m5.large\naws_keypair: ops\naws_hosts_min: 2\naws_hosts_max: 8\nhealth_check_url: /health\n",
			want: map[string]string{
				beanstalk.NamespaceInstances + ":InstanceTypes": "m5.large",
				beanstalk.NamespaceLaunch + ":EC2KeyName":       "ops",
				beanstalk.NamespaceASG + ":MinSize":             "2",
				beanstalk.NamespaceASG + ":MaxSize":             "8",
				beanstalk.NamespaceProcess + ":HealthCheckPath": "/health",
			},
		},
		"certificate on an application load balancer": {
			yaml: "aws_cert_arn: arn:aws:acm:us-east-1:123456789012:certificate/abc\n",
			want: map[string]string{
				"aws:elbv2:listener:443:ListenerEnabled":    "true",
				"aws:elbv2:listener:443:Protocol":           "HTTPS",
				"aws:elbv2:listener:443:SSLCertificateArns": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
			},
			absent: []string{"aws:elb:listener:443:SSLCertificateId"},
		},
		"certificate on a classic load balancer": {
			yaml: "aws_cert_arn: arn:aws:acm:us-east-1:123456789012:certificate/abc\naws_load_balancer_type: classic\n",
			want: map[string]string{
				"aws:elb:listener:443:ListenerProtocol": "HTTPS",
				"aws:elb:listener:443:SSLCertificateId": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
				"aws:elb:listener:443:InstancePort":     "80",
			},
			// Classic load balancers take their health check from the application option only.
			absent: []string{"aws:elbv2:listener:443:Protocol", beanstalk.NamespaceProcess + ":HealthCheckPath"},
		},
		"single instance has no load balancer or scaling options": {
			yaml: "aws_environment_type: SingleInstance\n",
			want: map[string]string{beanstalk.NamespaceEnvironment + ":EnvironmentType": "SingleInstance"},
			absent: []string{beanstalk.NamespaceASG + ":MinSize", beanstalk.NamespaceASG + ":MaxSize",
				beanstalk.NamespaceEnvironment + ":LoadBalancerType", beanstalk.NamespaceProcess + ":HealthCheckPath"},
		},
		"service role and notifications": {
			yaml: "aws_service_role: aws-elasticbeanstalk-service-role\naws_notification_email: ops@example.com\n" +
				"aws_notification_topic_arn: arn:aws:sns:us-east-1:123456789012:eb\n",
			want: map[string]string{
				beanstalk.NamespaceEnvironment + ":ServiceRole":       "aws-elasticbeanstalk-service-role",
				beanstalk.NamespaceTopics + ":Notification Endpoint":  "ops@example.com",
				beanstalk.NamespaceTopics + ":Notification Protocol":  "email",
				beanstalk.NamespaceTopics + ":Notification Topic ARN": "arn:aws:sns:us-east-1:123456789012:eb",
			},
		},
		"container environment": {
			yaml: "env_vars:\n  LOG_LEVEL: debug\nenv_secrets: [API_KEY]\n",
			env:  map[string]string{"API_KEY": "s3cr3t-value"},
			want: map[string]string{
				beanstalk.NamespaceEnvVars + ":LOG_LEVEL": "debug",
				beanstalk.NamespaceEnvVars + ":API_KEY":   "s3cr3t-value",
			},
		},
		"pass-through options win": {
			yaml: "aws_option_settings:\n  - {namespace: " + beanstalk.NamespaceInstances + ", option_name: InstanceTypes, value: c7g.large}\n" +
				"  - {namespace: aws:elasticbeanstalk:command, option_name: DeploymentPolicy, value: Immutable}\n",
			want: map[string]string{
				beanstalk.NamespaceInstances + ":InstanceTypes": "c7g.large",
				"aws:elasticbeanstalk:command:DeploymentPolicy": "Immutable",
			},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			cfg, err := Parse("pym-config.yaml", []byte(optionsBase+tt.yaml), WithLookupEnv(lookup))
			require.NoError(t, err)

			// What Beanstalk receives: the last setting of an option wins there too.
			got := map[string]string{}
			for _, o := range cfg.Spec().Environment.OptionSettings() {
				v := o.Value
				if !o.Secret.IsZero() {
					v = o.Secret.Reveal()
				}
				got[o.Namespace+":"+o.Name] = v
			}
			for k, v := range tt.want {
				assert.Equal(t, v, got[k], k)
			}
			for _, k := range tt.absent {
				assert.NotContains(t, got, k)
			}
		})
	}
}

// TestOptionSettingsRedactSecrets: a secret container variable reaches the
// SDK input but never the settings' printed form, which logs and plans show.
func TestOptionSettingsRedactSecrets(t *testing.T) {
	lookup := func(k string) (string, bool) { return "s3cr3t-value", k == "API_KEY" }
	cfg, err := Parse("pym-config.yaml", []byte(optionsBase+"env_secrets: [API_KEY]\n"), WithLookupEnv(lookup))
	require.NoError(t, err)

	settings := cfg.Spec().Environment.OptionSettings()
	printed := fmt.Sprint(settings) + fmt.Sprintf("%v %+v %#v", settings, settings, settings)
	assert.NotContains(t, printed, "s3cr3t-value")
	assert.True(t, strings.Contains(printed, beanstalk.NamespaceEnvVars+":API_KEY="), printed)
}

func TestSpecPolicies(t *testing.T) {
	c, err := Parse("pym-config.yaml", []byte(optionsBase), env())
	require.NoError(t, err)
	spec := c.Spec()
	assert.False(t, spec.IgnoreLiveCapacity, "capacity parity is on by default")

	c, err = Parse("pym-config.yaml", []byte(optionsBase+"capacity_parity: false\nenv_secret_refs:\n  DB_PASSWORD: arn:aws:ssm:us-east-1:123456789012:parameter/hello/db\n"), env())
	require.NoError(t, err)
	spec = c.Spec()
	assert.True(t, spec.IgnoreLiveCapacity)
	assert.Equal(t, map[string]string{"DB_PASSWORD": "arn:aws:ssm:us-east-1:123456789012:parameter/hello/db"}, spec.Environment.SecretRefs)
	require.NoError(t, spec.Validate())
}
