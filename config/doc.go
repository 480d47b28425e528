// Package config loads the deploy settings of a service from a
// pymacaron-compatible pym-config.yaml:
//
//	cfg, err := config.Load("pym-config.yaml") // every problem at once, with file and line
//	spec := cfg.Spec()                           // what package beanstalk takes
//
// Config.Spec is the one place where the file's keys become the plain Go
// values the deploy packages take; an embedder without a file builds a
// beanstalk.Spec directly.
//
// An existing pym-config.yaml loads unchanged: pymacaron's Beanstalk keys
// (name, live_host, docker_repo, deploy_target, docker_bucket, aws_user,
// aws_zone_id, aws_region, aws_instance_type, aws_keypair, aws_cert_arn,
// aws_hosts_min, aws_hosts_max, env_secrets, live_url) keep their meaning,
// keys of other deploy targets and of the application are accepted and
// reported as notes, and beanswap adds keys of its own with safe defaults
// (see Config; KnownKeys lists them all).
//
// Environment variables override the file: BEANSWAP_ followed by the key in
// upper case (BEANSWAP_AWS_REGION=eu-west-1, BEANSWAP_ENV_SECRETS=A,B).
// Mappings and lists of mappings (env_vars, aws_tags, aws_option_settings)
// can only be set in the file.
//
// Validation reports every problem at once as a *ValidationError, each
// naming the file and line, the key and what is expected. A key that looks
// like a misspelt deploy key is an error with a suggestion.
//
// Values of env_secrets are read from the process environment when the
// file is loaded and held as Secret, which never prints its value.
package config
