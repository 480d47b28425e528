package config

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// key describes one deploy setting of pym-config.yaml: how to decode it
// from YAML and from its environment override.
type key struct {
	name   string
	expect string // what a value must look like, for messages
	decode func(c *Config, n *yaml.Node) error
	// fromEnv turns an environment override into a node; nil means the key
	// cannot be overridden from the environment.
	fromEnv func(v string) *yaml.Node
}

// EnvPrefix prefixes the environment variables that override file values:
// BEANSWAP_AWS_REGION overrides aws_region, and so on for every scalar or
// list key (lists are comma-separated).
const EnvPrefix = "BEANSWAP_"

// EnvName returns the environment variable overriding the YAML key k.
func EnvName(k string) string { return EnvPrefix + strings.ToUpper(k) }

var deployKeys = []key{
	str("name", func(c *Config) *string { return &c.Name }),
	str("live_host", func(c *Config) *string { return &c.LiveHost }),
	str("live_url", func(c *Config) *string { return &c.LiveURL }),
	str("docker_repo", func(c *Config) *string { return &c.DockerRepo }),
	str("deploy_target", func(c *Config) *string { return &c.DeployTarget }),
	str("docker_bucket", func(c *Config) *string { return &c.DockerBucket }),
	str("aws_user", func(c *Config) *string { return &c.AWSProfile }),
	str("aws_region", func(c *Config) *string { return &c.AWSRegion }),
	str("aws_zone_id", func(c *Config) *string { return &c.AWSZoneID }),
	str("aws_instance_type", func(c *Config) *string { return &c.InstanceType }),
	str("aws_keypair", func(c *Config) *string { return &c.KeyPair }),
	str("aws_cert_arn", func(c *Config) *string { return &c.CertARN }),
	integer("aws_hosts_min", func(c *Config) *int { return &c.HostsMin }),
	integer("aws_hosts_max", func(c *Config) *int { return &c.HostsMax }),
	boolean("capacity_parity", func(c *Config) *bool { return &c.CapacityParity }),
	list("env_secrets", func(c *Config) *[]string { return &c.EnvSecrets }),
	mapping("env_secret_refs", func(c *Config) *map[string]string { return &c.SecretRefs }),
	str("aws_application", func(c *Config) *string { return &c.Application }),
	str("aws_cname_prefix", func(c *Config) *string { return &c.CNAMEPrefix }),
	str("aws_platform", func(c *Config) *string { return &c.Platform }),
	str("aws_platform_branch", func(c *Config) *string { return &c.PlatformBranch }),
	str("aws_instance_profile", func(c *Config) *string { return &c.InstanceProfile }),
	str("aws_service_role", func(c *Config) *string { return &c.ServiceRole }),
	str("aws_environment_type", func(c *Config) *string { return &c.EnvironmentType }),
	str("aws_load_balancer_type", func(c *Config) *string { return &c.LoadBalancerType }),
	str("aws_health_reporting", func(c *Config) *string { return &c.HealthReporting }),
	str("aws_notification_email", func(c *Config) *string { return &c.NotificationEmail }),
	optionSettings("aws_option_settings"),
	mapping("aws_tags", func(c *Config) *map[string]string { return &c.Tags }),
	integer("container_port", func(c *Config) *int { return &c.ContainerPort }),
	str("health_check_url", func(c *Config) *string { return &c.HealthCheckURL }),
	mapping("env_vars", func(c *Config) *map[string]string { return &c.Env }),
	str("docker_auth_format", func(c *Config) *string { return &c.DockerAuthFormat }),
	str("bundle_dir", func(c *Config) *string { return &c.BundleDir }),
	str("docker_compose", func(c *Config) *string { return &c.DockerCompose }),
	str("docker_bucket_owner", func(c *Config) *string { return &c.DockerBucketOwner }),
	integer("keep_environments", func(c *Config) *int { return &c.KeepEnvironments }),
	integer("keep_versions", func(c *Config) *int { return &c.KeepVersions }),
	duration("launch_timeout", func(c *Config) *time.Duration { return &c.Timeouts.Launch }),
	duration("swap_timeout", func(c *Config) *time.Duration { return &c.Timeouts.Swap }),
	duration("acceptance_timeout", func(c *Config) *time.Duration { return &c.Timeouts.Acceptance }),
	duration("terminate_timeout", func(c *Config) *time.Duration { return &c.Timeouts.Terminate }),
	duration("health_grace", func(c *Config) *time.Duration { return &c.Timeouts.HealthGrace }),
	duration("dns_grace", func(c *Config) *time.Duration { return &c.Timeouts.DNSGrace }),
	acceptanceChecks("acceptance_checks"),
	list("acceptance_command", func(c *Config) *[]string { return &c.AcceptanceCommand }),
	str("on_failure", func(c *Config) *string { return &c.OnFailure }),
	str("aws_notification_topic_arn", func(c *Config) *string { return &c.NotificationTopicARN }),
	boolean("prune_after_deploy", func(c *Config) *bool { return &c.PruneAfterDeploy }),
	boolean("prune_unmanaged", func(c *Config) *bool { return &c.PruneUnmanaged }),
	duration("swap_soak", func(c *Config) *time.Duration { return &c.SwapSoak }),
	duration("abandoned_after", func(c *Config) *time.Duration { return &c.AbandonedAfter }),
	boolean("lock", func(c *Config) *bool { return &c.Lock }),
	duration("lock_ttl", func(c *Config) *time.Duration { return &c.LockTTL }),
	duration("lock_wait", func(c *Config) *time.Duration { return &c.LockWait }),
	str("notify_sns_topic_arn", func(c *Config) *string { return &c.NotifyTopicARN }),
}

// otherKeys are keys pymacaron uses for the Docker build, other deploy
// targets or the application itself: accepted so that an existing
// pym-config.yaml loads unchanged, and never suggested as corrections.
var otherKeys = map[string]string{
	"include_links":            "used by the Docker build",
	"docker_base":              "used by the Docker build",
	"docker_packages":          "used by the Docker build",
	"gcp_project":              "used by the gcp-cloud-run and gke targets",
	"gcp_region":               "used by the gcp-cloud-run and gke targets",
	"gcp_memory":               "used by the gcp-cloud-run target",
	"gke_cluster":              "used by the gke target",
	"with_async":               "an application setting",
	"jwt_secret":               "an application setting",
	"jwt_audience":             "an application setting",
	"jwt_issuer":               "an application setting",
	"jwt_token_timeout":        "an application setting",
	"default_user_id":          "an application setting",
	"report_call_exceeding_ms": "an application setting",
	"aws_default_region":       "an application setting",
	"aws_access_key_id":        "an application setting",
	"aws_secret_access_key":    "an application setting",
	"env_jwt_secret":           "an application setting (klue-microservice)",
	"env_jwt_audience":         "an application setting (klue-microservice)",
	"env_jwt_issuer":           "an application setting (klue-microservice)",
	"live_port":                "a klue-microservice setting; beanswap serves on container_port, and HTTPS with aws_cert_arn",
	"app_name_live":            "an application setting",
	"app_name_dev":             "an application setting",
}

func keyByName(name string) (key, bool) {
	for _, k := range deployKeys {
		if k.name == name {
			return k, true
		}
	}
	return key{}, false
}

// KnownKeys returns the deploy keys beanswap reads, sorted.
func KnownKeys() []string {
	names := make([]string, len(deployKeys))
	for i, k := range deployKeys {
		names[i] = k.name
	}
	sort.Strings(names)
	return names
}

func scalarNode(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
}

func str(name string, field func(*Config) *string) key {
	return key{
		name:   name,
		expect: "a string",
		decode: func(c *Config, n *yaml.Node) error {
			if n.Kind != yaml.ScalarNode {
				return errExpected("a string", n)
			}
			*field(c) = strings.TrimSpace(n.Value)
			return nil
		},
		fromEnv: scalarNode,
	}
}

func integer(name string, field func(*Config) *int) key {
	return key{
		name:   name,
		expect: "an integer",
		decode: func(c *Config, n *yaml.Node) error {
			if n.Kind != yaml.ScalarNode {
				return errExpected("an integer", n)
			}
			v, err := strconv.Atoi(strings.TrimSpace(n.Value))
			if err != nil {
				return errExpected("an integer", n)
			}
			*field(c) = v
			return nil
		},
		fromEnv: scalarNode,
	}
}

func boolean(name string, field func(*Config) *bool) key {
	const expect = "true or false"
	return key{
		name:   name,
		expect: expect,
		decode: func(c *Config, n *yaml.Node) error {
			if n.Kind != yaml.ScalarNode {
				return errExpected(expect, n)
			}
			switch strings.ToLower(strings.TrimSpace(n.Value)) {
			case "true", "yes", "on", "1":
				*field(c) = true
			case "false", "no", "off", "0":
				*field(c) = false
			default:
				return errExpected(expect, n)
			}
			return nil
		},
		fromEnv: scalarNode,
	}
}

func duration(name string, field func(*Config) *time.Duration) key {
	const expect = `a duration such as "90s", "15m" or "1h" (or a number of seconds)`
	return key{
		name:   name,
		expect: expect,
		decode: func(c *Config, n *yaml.Node) error {
			if n.Kind != yaml.ScalarNode {
				return errExpected(expect, n)
			}
			v := strings.TrimSpace(n.Value)
			if secs, err := strconv.Atoi(v); err == nil {
				*field(c) = time.Duration(secs) * time.Second
				return nil
			}
			d, err := time.ParseDuration(v)
			if err != nil {
				return errExpected(expect, n)
			}
			*field(c) = d
			return nil
		},
		fromEnv: scalarNode,
	}
}

func list(name string, field func(*Config) *[]string) key {
	const expect = "a list of strings"
	return key{
		name:   name,
		expect: expect,
		decode: func(c *Config, n *yaml.Node) error {
			if n.Kind != yaml.SequenceNode {
				return errExpected(expect, n)
			}
			out := make([]string, 0, len(n.Content))
			for _, item := range n.Content {
				if item.Kind != yaml.ScalarNode {
					return fmt.Errorf("item at line %d: %w", item.Line, errExpected("a string", item))
				}
				out = append(out, strings.TrimSpace(item.Value))
			}
			*field(c) = out
			return nil
		},
		fromEnv: func(v string) *yaml.Node {
			n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			for _, part := range strings.Split(v, ",") {
				if part = strings.TrimSpace(part); part != "" {
					n.Content = append(n.Content, scalarNode(part))
				}
			}
			return n
		},
	}
}

func mapping(name string, field func(*Config) *map[string]string) key {
	const expect = "a mapping of names to strings"
	return key{
		name:   name,
		expect: expect,
		decode: func(c *Config, n *yaml.Node) error {
			if n.Kind != yaml.MappingNode {
				return errExpected(expect, n)
			}
			out := make(map[string]string, len(n.Content)/2)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode {
					return fmt.Errorf("entry at line %d: %w", k.Line, errExpected("a name: value pair", v))
				}
				out[k.Value] = v.Value
			}
			*field(c) = out
			return nil
		},
	}
}

func optionSettings(name string) key {
	const expect = "a list of {namespace, option_name, value}"
	return key{
		name:   name,
		expect: expect,
		decode: func(c *Config, n *yaml.Node) error {
			out, err := mappingItems(n, expect, "a mapping with namespace, option_name and value", func(item *yaml.Node) (OptionSetting, error) {
				var s OptionSetting
				if err := item.Decode(&s); err != nil {
					return s, errors.New("expected namespace, option_name and value as strings")
				}
				if s.Namespace == "" || s.OptionName == "" {
					return s, errors.New("namespace and option_name are required")
				}
				return s, nil
			})
			c.OptionSettings = out
			return err
		},
	}
}

var checkFields = map[string]bool{"name": true, "method": true, "path": true, "status": true, "body_contains": true, "json_field": true, "equals": true}

func acceptanceChecks(name string) key {
	const expect = "a list of {path, status, body_contains, json_field, equals}"
	return key{
		name:   name,
		expect: expect,
		decode: func(c *Config, n *yaml.Node) error {
			out, err := mappingItems(n, expect, "a mapping such as {path: /ping, status: 200}", func(item *yaml.Node) (AcceptanceCheck, error) {
				var ch AcceptanceCheck
				for i := 0; i < len(item.Content); i += 2 {
					if f := item.Content[i].Value; !checkFields[f] {
						return ch, fmt.Errorf("unknown field %q (known: name, method, path, status, body_contains, json_field, equals)", f)
					}
				}
				if err := item.Decode(&ch); err != nil {
					return ch, errors.New("status must be a number, the other fields strings")
				}
				return ch, nil
			})
			c.AcceptanceChecks = out
			return err
		},
	}
}

// mappingItems decodes a list of mappings, each with decode; errors name
// the item's line.
func mappingItems[T any](n *yaml.Node, expect, itemExpect string, decode func(*yaml.Node) (T, error)) ([]T, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errExpected(expect, n)
	}
	out := make([]T, 0, len(n.Content))
	for _, item := range n.Content {
		if item.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("item at line %d: %w", item.Line, errExpected(itemExpect, item))
		}
		v, err := decode(item)
		if err != nil {
			return nil, fmt.Errorf("item at line %d: %w", item.Line, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// errExpected describes a node of the wrong shape without echoing long or
// structured values (they may be secrets of the application).
func errExpected(what string, n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		return fmt.Errorf("expected %s, got %q", what, v)
	case yaml.SequenceNode:
		return fmt.Errorf("expected %s, got a list", what)
	case yaml.MappingNode:
		return fmt.Errorf("expected %s, got a mapping", what)
	default:
		return fmt.Errorf("expected %s", what)
	}
}
