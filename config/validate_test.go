package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidationProblems covers every validation path: each case edits the
// minimal valid file and expects exactly one problem, at a line and key.
func TestValidationProblems(t *testing.T) {
	tests := map[string]struct {
		replace, with string // edit of minimal; "" replace appends with
		env           []string
		line          int
		key           string
		message       string
	}{
		"name missing":         {replace: "name: hello\n", with: "", key: "name", message: "required"},
		"name bad characters":  {replace: "name: hello", with: "name: hello_world", line: 1, key: "name", message: "letters, digits or inner hyphens"},
		"name too long":        {replace: "name: hello", with: "name: " + strings.Repeat("a", 24), line: 1, key: "name", message: "1 to 23"},
		"name too short cname": {replace: "name: hello", with: "name: abc", line: 1, key: "name", message: "set aws_cname_prefix"},
		"name a list":          {replace: "name: hello", with: "name: [a, b]", line: 1, key: "name", message: "expected a string, got a list"},
		"target other":         {replace: "deploy_target: aws-beanstalk", with: "deploy_target: gcp-cloud-run", line: 2, key: "deploy_target", message: `"gcp-cloud-run" is not deployable by beanswap`},
		"bucket missing":       {replace: "docker_bucket: hello-docker-cfg\n", key: "docker_bucket", message: "required"},
		"bucket bad":           {replace: "docker_bucket: hello-docker-cfg", with: "docker_bucket: Hello_Bucket", line: 3, key: "docker_bucket", message: `"Hello_Bucket": expected an S3 bucket name`},
		"bucket dots":          {replace: "docker_bucket: hello-docker-cfg", with: "docker_bucket: a..b", line: 3, key: "docker_bucket", message: "expected an S3 bucket name"},
		"live host missing":    {replace: "live_host: api.hello.example.com\n", key: "live_host", message: "required"},
		"live host bad":        {replace: "live_host: api.hello.example.com", with: "live_host: not a host", line: 4, key: "live_host", message: "expected a host name"},
		"live url bad":         {with: "live_url: ftp://x.example.com\n", line: 6, key: "live_url", message: "expected an http:// or https:// URL"},
		"profile empty":        {replace: "aws_instance_profile: aws-elasticbeanstalk-ec2-role", with: `aws_instance_profile: ""`, line: 5, key: "aws_instance_profile", message: "AWS prerequisites"},
		"region bad":           {with: "aws_region: Europe\n", line: 6, key: "aws_region", message: "expected a region"},
		"zone bad":             {with: "aws_zone_id: zone-1\n", line: 6, key: "aws_zone_id", message: "hosted zone id"},
		"instance type bad":    {with: "aws_instance_type: big\n", line: 6, key: "aws_instance_type", message: "EC2 instance type"},
		"instance types list":  {with: "aws_instance_type: t3.micro,big\n", line: 6, key: "aws_instance_type", message: "comma-separated"},
		"cert bad":             {with: "aws_cert_arn: mycert\n", line: 6, key: "aws_cert_arn", message: "certificate ARN"},
		"cert single instance": {with: "aws_cert_arn: arn:aws:acm:x\naws_environment_type: SingleInstance\n", line: 6, key: "aws_cert_arn", message: "LoadBalanced"},
		"hosts min zero":       {with: "aws_hosts_min: 0\n", line: 6, key: "aws_hosts_min", message: "at least 1"},
		"hosts min text":       {with: "aws_hosts_min: two\n", line: 6, key: "aws_hosts_min", message: `expected an integer, got "two"`},
		"hosts max below min":  {with: "aws_hosts_min: 3\naws_hosts_max: 2\n", line: 7, key: "aws_hosts_max", message: "at least aws_hosts_min (3)"},
		"hosts max huge":       {with: "aws_hosts_max: 20000\n", line: 6, key: "aws_hosts_max", message: "at most 10000"},
		"keep envs negative":   {with: "keep_environments: -1\n", line: 6, key: "keep_environments", message: "0 or more"},
		"keep versions neg":    {with: "keep_versions: -2\n", line: 6, key: "keep_versions", message: "0 or more"},
		"timeout bad":          {with: "launch_timeout: soon\n", line: 6, key: "launch_timeout", message: "expected a duration"},
		"timeout zero":         {with: "swap_timeout: 0s\n", line: 6, key: "swap_timeout", message: "positive duration"},
		"soak negative":        {with: "swap_soak: -1m\n", line: 6, key: "swap_soak", message: "positive duration"},
		"timeout mapping":      {with: "acceptance_timeout: {a: 1}\n", line: 6, key: "acceptance_timeout", message: "got a mapping"},
		"secrets not list":     {with: "env_secrets: A\n", line: 6, key: "env_secrets", message: "expected a list of strings"},
		"secrets nested":       {with: "env_secrets:\n  - [A]\n", line: 6, key: "env_secrets", message: "item at line 7"},
		"secret bad name":      {with: "env_secrets: [A-B]\n", line: 6, key: "env_secrets", message: `"A-B": expected an environment variable name`},
		"secret twice":         {with: "env_secrets: [A, A]\n", env: []string{"A", "x"}, line: 6, key: "env_secrets", message: "listed twice"},
		"secret missing":       {with: "env_secrets: [A]\n", line: 6, key: "env_secrets", message: "$A is not set"},
		"secret empty":         {with: "env_secrets: [A]\n", env: []string{"A", ""}, line: 6, key: "env_secrets", message: "$A is empty"},
		"secret in env vars":   {with: "env_secrets: [A]\nenv_vars: {A: b}\n", env: []string{"A", "x"}, line: 6, key: "env_secrets", message: "also set in env_vars"},
		"secret ref not arn":   {with: "env_secret_refs: {DB: hunter2}\n", line: 6, key: "env_secret_refs", message: "DB: the value (not shown"},
		"secret ref s3 arn":    {with: "env_secret_refs: {DB: \"arn:aws:s3:::b/k\"}\n", line: 6, key: "env_secret_refs", message: `"arn:aws:s3:::b/k": expected a Secrets Manager secret ARN`},
		"secret ref bad name":  {with: "env_secret_refs: {D-B: \"arn:aws:ssm:us-east-1:123456789012:parameter/db\"}\n", line: 6, key: "env_secret_refs", message: `"D-B": expected an environment variable name`},
		"secret ref also var":  {with: "env_secret_refs: {DB: \"arn:aws:ssm:us-east-1:123456789012:parameter/db\"}\nenv_vars: {DB: x}\n", line: 6, key: "env_secret_refs", message: "also set in env_vars or env_secrets"},
		"env var bad name":     {with: "env_vars: {1A: b}\n", line: 6, key: "env_vars", message: "environment variable name"},
		"env vars list":        {with: "env_vars: [a]\n", line: 6, key: "env_vars", message: "expected a mapping"},
		"env vars nested":      {with: "env_vars: {A: [b]}\n", line: 6, key: "env_vars", message: "name: value pair"},
		"application bad":      {with: "aws_application: a/b\n", line: 6, key: "aws_application", message: "without '/'"},
		"cname bad":            {with: "aws_cname_prefix: -abc\n", line: 6, key: "aws_cname_prefix", message: "4 to 63"},
		"platform arn bad":     {with: "aws_platform: arn:aws:ec2:x\n", line: 6, key: "aws_platform", message: "platform ARN"},
		"env type bad":         {with: "aws_environment_type: Worker\n", line: 6, key: "aws_environment_type", message: "LoadBalanced or SingleInstance"},
		"lb type bad":          {with: "aws_load_balancer_type: gateway\n", line: 6, key: "aws_load_balancer_type", message: "application, network or classic"},
		"health bad":           {with: "aws_health_reporting: super\n", line: 6, key: "aws_health_reporting", message: "enhanced or basic"},
		"enhanced no role":     {with: "aws_health_reporting: enhanced\n", line: 6, key: "aws_health_reporting", message: "needs aws_service_role"},
		"email bad":            {with: "aws_notification_email: ops\n", line: 6, key: "aws_notification_email", message: "email address"},
		"tag reserved":         {with: "aws_tags: {\"aws:x\": y}\n", line: 6, key: "aws_tags", message: "not starting with aws:"},
		"option not list":      {with: "aws_option_settings: {a: b}\n", line: 6, key: "aws_option_settings", message: "expected a list"},
		"option not mapping":   {with: "aws_option_settings: [a]\n", line: 6, key: "aws_option_settings", message: "item at line 6"},
		"option incomplete":    {with: "aws_option_settings:\n  - namespace: x\n", line: 6, key: "aws_option_settings", message: "option_name are required"},
		"option bad type":      {with: "aws_option_settings:\n  - {namespace: x, option_name: [y]}\n", line: 6, key: "aws_option_settings", message: "as strings"},
		"option coupled db":    {with: "aws_option_settings:\n  - {namespace: aws:rds:dbinstance, option_name: DBEngine, value: postgres}\n", line: 6, key: "aws_option_settings", message: "aws:rds:dbinstance DBEngine: a database coupled to the environment is lost"},
		"port bad":             {with: "container_port: 70000\n", line: 6, key: "container_port", message: "between 1 and 65535"},
		"health url bad":       {with: "health_check_url: ping\n", line: 6, key: "health_check_url", message: "starting with /"},
		"auth format bad":      {with: "docker_auth_format: v1\n", line: 6, key: "docker_auth_format", message: "auths, legacy or none"},
		"on failure bad":       {with: "on_failure: explode\n", line: 6, key: "on_failure", message: "terminate or keep"},
		"check not list":       {with: "acceptance_checks: {path: /}\n", line: 6, key: "acceptance_checks", message: "expected a list"},
		"check not mapping":    {with: "acceptance_checks: [/ping]\n", line: 6, key: "acceptance_checks", message: "item at line 6"},
		"check unknown field":  {with: "acceptance_checks:\n  - {path: /, expect: 200}\n", line: 6, key: "acceptance_checks", message: `unknown field "expect"`},
		"check bad status":     {with: "acceptance_checks:\n  - {path: /, status: ok}\n", line: 6, key: "acceptance_checks", message: "status must be a number"},
		"check status range":   {with: "acceptance_checks:\n  - {path: /, status: 42}\n", line: 6, key: "acceptance_checks", message: "check 1: status 42"},
		"check bad path":       {with: "acceptance_checks:\n  - {path: ping}\n", line: 6, key: "acceptance_checks", message: `path "ping" must start with /`},
		"check equals alone":   {with: "acceptance_checks:\n  - {path: /, equals: x}\n", line: 6, key: "acceptance_checks", message: "equals needs json_field"},
		"check bad method":     {with: "acceptance_checks:\n  - {path: /, method: FETCH}\n", line: 6, key: "acceptance_checks", message: `method "FETCH"`},
		"command empty":        {with: "acceptance_command: [\"\"]\n", line: 6, key: "acceptance_command", message: "the program to run"},
		"bool bad":             {with: "lock: maybe\n", line: 6, key: "lock", message: "expected true or false"},
		"topic bad":            {with: "notify_sns_topic_arn: deploys\n", line: 6, key: "notify_sns_topic_arn", message: "SNS topic ARN"},
		"eb topic bad":         {with: "aws_notification_topic_arn: x\n", line: 6, key: "aws_notification_topic_arn", message: "SNS topic ARN"},
		"lock ttl zero":        {with: "lock_ttl: 0s\n", line: 6, key: "lock_ttl", message: "positive duration"},
		"lock wait negative":   {with: "lock_wait: -1m\n", line: 6, key: "lock_wait", message: "0 or a positive duration"},
		"bucket owner bad":     {with: "docker_bucket_owner: me\n", line: 6, key: "docker_bucket_owner", message: "12-digit AWS account id"},
		"misspelt key":         {with: "aws_host_min: 2\n", line: 6, key: "aws_host_min", message: `did you mean "aws_hosts_min"?`},
		"misspelt case":        {with: "Name: x\n", line: 6, key: "Name", message: `did you mean "name"?`},
		"duplicate":            {with: "name: other\n", line: 6, key: "name", message: "defined twice (first at line 1)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			body := minimal
			if tc.replace != "" {
				require.Contains(t, body, tc.replace)
				body = strings.Replace(body, tc.replace, tc.with, 1)
			} else {
				body += tc.with
			}
			_, err := Parse("pym-config.yaml", []byte(body), env(tc.env...))
			var verr *ValidationError
			require.ErrorAs(t, err, &verr, "body:\n%s", body)
			require.Len(t, verr.Problems, 1, "%v", verr)
			p := verr.Problems[0]
			assert.Equal(t, tc.key, p.Key)
			assert.Equal(t, tc.line, p.Line)
			assert.Equal(t, "pym-config.yaml", p.File)
			assert.Contains(t, p.Message, tc.message)
			assert.True(t, strings.HasPrefix(err.Error(), "invalid configuration: pym-config.yaml:"), err.Error())
		})
	}
}

func TestAllProblemsAtOnce(t *testing.T) {
	body := "name: x_y\ndeploy_target: gke\naws_hosts_min: none\ncontainer_port: 0\naws_regoin: eu-west-1\n"
	_, err := Parse("p.yaml", []byte(body), env())
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	var got []string
	for _, p := range verr.Problems {
		got = append(got, p.Key)
	}
	// File problems in line order first, then missing keys by name.
	assert.Equal(t, []string{
		"name", "deploy_target", "aws_hosts_min", "container_port", "aws_regoin",
		"docker_bucket", "live_host",
	}, got)
	assert.Contains(t, err.Error(), "invalid configuration (7 problems):\n  p.yaml:1: name:")
	assert.Contains(t, err.Error(), `p.yaml:5: aws_regoin: unknown key; did you mean "aws_region"?`)
}

func TestNearestKey(t *testing.T) {
	tests := map[string]string{
		"aws_hosts_mn":    "aws_hosts_min",
		"dockerbucket":    "docker_bucket",
		"nam":             "name",
		"jwt_issuer":      "",
		"my_api_key":      "",
		"aws_access_key":  "",
		"aws_zone":        "",
		"health_checkurl": "health_check_url",
	}
	for in, want := range tests {
		assert.Equal(t, want, nearestKey(in), in)
	}
}

// TestSecretRefProblemHidesTheValue: a value in env_secret_refs that is
// no ARN may be the secret itself, pasted in the wrong place.
func TestSecretRefProblemHidesTheValue(t *testing.T) {
	_, err := Parse("pym-config.yaml", []byte(minimal+"env_secret_refs: {DB: hunter2}\n"), env())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
}
