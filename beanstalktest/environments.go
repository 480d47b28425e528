package beanstalktest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// Option namespaces the simulator reads.
const (
	nsEnvironment = "aws:elasticbeanstalk:environment"
	nsLaunch      = "aws:autoscaling:launchconfiguration"
	nsASG         = "aws:autoscaling:asg"
	nsHealth      = "aws:elasticbeanstalk:healthreporting:system"
	nsEnvVars     = "aws:elasticbeanstalk:application:environment"
	nsRDS         = "aws:rds:dbinstance"
)

func optionValue(opts []types.ConfigurationOptionSetting, namespace, name string) (string, bool) {
	for i := len(opts) - 1; i >= 0; i-- {
		o := opts[i]
		if aws.ToString(o.Namespace) == namespace && aws.ToString(o.OptionName) == name {
			return aws.ToString(o.Value), true
		}
	}
	return "", false
}

func (st *state) fqdn(prefix string) string {
	return strings.ToLower(prefix) + "." + st.region + ".elasticbeanstalk.com"
}

func (st *state) checkDNSAvailability(c call, in *eb.CheckDNSAvailabilityInput) (*eb.CheckDNSAvailabilityOutput, error) {
	prefix := aws.ToString(in.CNAMEPrefix)
	if prefix == "" {
		return nil, missingParam("CNAMEPrefix")
	}
	if !cnamePrefixPattern.MatchString(prefix) {
		return nil, invalidParam("CNAME prefix %q is invalid: it must be 4 to 63 letters, digits or hyphens, not starting or ending with a hyphen.", prefix)
	}
	fq := st.fqdn(prefix)
	return &eb.CheckDNSAvailabilityOutput{Available: aws.Bool(st.cnameHolder(fq) == nil), FullyQualifiedCNAME: aws.String(fq)}, nil
}

func (st *state) createEnvironment(c call, in *eb.CreateEnvironmentInput) (*eb.CreateEnvironmentOutput, error) {
	appName, name := aws.ToString(in.ApplicationName), aws.ToString(in.EnvironmentName)
	switch {
	case appName == "":
		return nil, missingParam("ApplicationName")
	case name == "":
		return nil, missingParam("EnvironmentName")
	}
	a, ok := st.apps[appName]
	if !ok {
		return nil, invalidParam("No Application named '%s' found.", appName)
	}
	if !environmentNamePattern.MatchString(name) {
		return nil, invalidParam("Environment name %q is invalid: it must be 4 to 40 characters long, contain only letters, numbers and hyphens, and not start or end with a hyphen.", name)
	}
	if st.liveEnv(name) != nil {
		return nil, invalidParam("Environment %s already exists.", name)
	}
	version := aws.ToString(in.VersionLabel)
	if version != "" {
		if _, ok := a.versions[version]; !ok {
			return nil, invalidParam("No Application Version named '%s' found.", version)
		}
	}
	p, err := st.resolvePlatform(in)
	if err != nil {
		return nil, err
	}
	cname := ""
	if prefix := aws.ToString(in.CNAMEPrefix); prefix != "" {
		if !cnamePrefixPattern.MatchString(prefix) {
			return nil, invalidParam("CNAME prefix %q is invalid: it must be 4 to 63 letters, digits or hyphens, not starting or ending with a hyphen.", prefix)
		}
		cname = st.fqdn(prefix)
		if st.cnameHolder(cname) != nil {
			return nil, invalidParam("DNS name (%s) is not available.", cname)
		}
	} else {
		cname = strings.ToLower(name) + "." + st.randomID(8) + "." + st.region + ".elasticbeanstalk.com"
	}
	if err := st.validateOptions(in.OptionSettings); err != nil {
		return nil, err
	}
	if err := validateSecretRefs(p, in.OptionSettings); err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if st.activeEnvironments() >= st.quotas.Environments {
		return nil, &APIError{Code: CodeTooManyEnvironments, Message: fmt.Sprintf("You have reached the maximum number of environments (%d) for this account.", st.quotas.Environments)}
	}

	e := &environment{
		id:            "e-" + st.randomID(10),
		name:          name,
		app:           appName,
		description:   aws.ToString(in.Description),
		cname:         cname,
		version:       version,
		solutionStack: p.stack,
		platformArn:   st.platformArn(p),
		status:        types.EnvironmentStatusLaunching,
		health:        types.EnvironmentHealthGrey,
		healthStatus:  types.EnvironmentHealthStatusPending,
		created:       c.now,
		updated:       c.now,
		options:       slices.Clone(in.OptionSettings),
		outcome:       st.scripts.outcome(name, version),
		lastRequestID: c.requestID,
		securityGroup: strings.ToUpper(st.randomID(12)),
	}
	e.arn = st.arn("environment", appName+"/"+name)
	e.tags = append(slices.Clone(in.Tags),
		types.Tag{Key: aws.String("elasticbeanstalk:environment-name"), Value: aws.String(name)},
		types.Tag{Key: aws.String("elasticbeanstalk:environment-id"), Value: aws.String(e.id)},
	)
	if v, _ := optionValue(e.options, nsHealth, "SystemType"); v == "enhanced" {
		e.enhanced = true
	}
	e.options = coupleDatabase(e.options)
	if v, _ := optionValue(e.options, nsEnvironment, "EnvironmentType"); v == "SingleInstance" {
		e.singleInstance = true
		e.endpoint = fmt.Sprintf("203.0.113.%d", 1+st.rand.Intn(254))
	} else {
		e.endpoint = strings.ToLower(fmt.Sprintf("awseb-%s-AWSEBLoa-%s-%d.%s.elb.amazonaws.com", e.id, strings.ToUpper(st.randomID(12)), 100000000+st.rand.Intn(900000000), st.region))
	}
	st.envs = append(st.envs, e)
	st.record(c.now, JournalCreate, e, nil)
	st.launch(c, e)
	return copyInto(&eb.CreateEnvironmentOutput{}, e.describe()), nil
}

func (st *state) resolvePlatform(in *eb.CreateEnvironmentInput) (platform, error) {
	stack, arn := aws.ToString(in.SolutionStackName), aws.ToString(in.PlatformArn)
	switch {
	case stack != "" && arn != "":
		return platform{}, &APIError{Code: CodeInvalidParameterCombination, Message: "You cannot specify both a solution stack name and a platform ARN."}
	case stack == "" && arn == "":
		return platform{}, &APIError{Code: CodeInvalidParameterCombination, Message: "You must specify a solution stack name or a platform ARN (templates are not simulated)."}
	}
	p, ok := st.findPlatform(stack, arn)
	if !ok {
		if stack != "" {
			return platform{}, invalidParam("No Solution Stack named '%s' found.", stack)
		}
		return platform{}, invalidParam("No Platform named '%s' found.", arn)
	}
	return p, nil
}

// validateOptions rejects what Beanstalk's configuration validation would.
func (st *state) validateOptions(opts []types.ConfigurationOptionSetting) error {
	invalid := func(ns, name, why string) error {
		return invalidParam("Configuration validation exception: Invalid option specification (Namespace: '%s', OptionName: '%s'): %s", ns, name, why)
	}
	if _, ok := optionValue(opts, nsLaunch, "IamInstanceProfile"); !ok && st.requireProfile {
		return invalid(nsLaunch, "IamInstanceProfile", "Environment must have instance profile associated with it.")
	}
	if v, ok := optionValue(opts, nsEnvironment, "EnvironmentType"); ok && v != "LoadBalanced" && v != "SingleInstance" {
		return invalid(nsEnvironment, "EnvironmentType", fmt.Sprintf("Value %s is not one of [LoadBalanced, SingleInstance].", v))
	}
	if v, ok := optionValue(opts, nsHealth, "SystemType"); ok && v != "basic" && v != "enhanced" {
		return invalid(nsHealth, "SystemType", fmt.Sprintf("Value %s is not one of [basic, enhanced].", v))
	}
	minSize, maxSize := 1, 4
	for name, dst := range map[string]*int{"MinSize": &minSize, "MaxSize": &maxSize} {
		if v, ok := optionValue(opts, nsASG, name); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 10000 {
				return invalid(nsASG, name, fmt.Sprintf("Value %s is not an integer between 0 and 10000.", v))
			}
			*dst = n
		}
	}
	if minSize > maxSize {
		return invalid(nsASG, "MinSize", "MinSize must be less than or equal to MaxSize.")
	}
	size := 0
	for _, o := range opts {
		if aws.ToString(o.Namespace) == nsEnvVars {
			size += len(aws.ToString(o.OptionName)) + len(aws.ToString(o.Value)) + 1
		}
	}
	if size > 4096 {
		return invalidParam("Configuration validation exception: environment properties total %d bytes, more than the 4096 allowed.", size)
	}
	return nil
}

// findEnv resolves a name or id to a live environment.
func (st *state) findEnv(name, id *string) (*environment, error) {
	switch {
	case aws.ToString(id) != "":
		if e := st.envByID(*id); e != nil && e.status != types.EnvironmentStatusTerminated {
			return e, nil
		}
		return nil, invalidParam("No Environment found for EnvironmentId = '%s'.", *id)
	case aws.ToString(name) != "":
		if e := st.liveEnv(*name); e != nil {
			return e, nil
		}
		return nil, invalidParam("No Environment found for EnvironmentName = '%s'.", *name)
	default:
		return nil, missingParam("EnvironmentName or EnvironmentId")
	}
}

func (st *state) describeEnvironments(c call, in *eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error) {
	deletedSince := c.now.Add(-st.timing.DeletedVisible)
	if in.IncludedDeletedBackTo != nil && in.IncludedDeletedBackTo.After(deletedSince) {
		deletedSince = *in.IncludedDeletedBackTo
	}
	var all []types.EnvironmentDescription
	for _, e := range st.envs {
		switch {
		case in.ApplicationName != nil && e.app != *in.ApplicationName,
			in.VersionLabel != nil && e.version != *in.VersionLabel,
			len(in.EnvironmentNames) > 0 && !slices.Contains(in.EnvironmentNames, e.name),
			len(in.EnvironmentIds) > 0 && !slices.Contains(in.EnvironmentIds, e.id):
			continue
		case e.status == types.EnvironmentStatusTerminated:
			if (in.IncludeDeleted != nil && !*in.IncludeDeleted) || e.terminatedAt.Before(deletedSince) {
				continue
			}
		case st.timing.Visibility > 0 && c.now.Before(e.created.Add(st.timing.Visibility)):
			continue // created, but not yet listed
		}
		all = append(all, e.describe())
	}
	items, next, err := page(all, in.MaxRecords, in.NextToken, 1000)
	if err != nil {
		return nil, err
	}
	return &eb.DescribeEnvironmentsOutput{Environments: items, NextToken: next}, nil
}

func (st *state) updateEnvironment(c call, in *eb.UpdateEnvironmentInput) (*eb.UpdateEnvironmentOutput, error) {
	e, err := st.findEnv(in.EnvironmentName, in.EnvironmentId)
	if err != nil {
		return nil, err
	}
	if e.status != types.EnvironmentStatusReady {
		return nil, mustBeReady(e.name)
	}
	version := aws.ToString(in.VersionLabel)
	if version != "" {
		if _, ok := st.apps[e.app].versions[version]; !ok {
			return nil, invalidParam("No Application Version named '%s' found.", version)
		}
	}
	merged := append(slices.Clone(e.options), in.OptionSettings...)
	merged = slices.DeleteFunc(merged, func(o types.ConfigurationOptionSetting) bool {
		for _, r := range in.OptionsToRemove {
			if aws.ToString(r.Namespace) == aws.ToString(o.Namespace) && aws.ToString(r.OptionName) == aws.ToString(o.OptionName) {
				return true
			}
		}
		return false
	})
	if err := st.validateOptions(merged); err != nil {
		return nil, err
	}
	if p, ok := st.findPlatform(e.solutionStack, ""); ok {
		if err := validateSecretRefs(p, merged); err != nil {
			return nil, err
		}
	}
	e.options = merged
	if in.Description != nil {
		e.description = *in.Description
	}
	e.lastRequestID = c.requestID
	st.startUpdate(c, e, version)
	return copyInto(&eb.UpdateEnvironmentOutput{}, e.describe()), nil
}

func (st *state) terminateEnvironment(c call, in *eb.TerminateEnvironmentInput) (*eb.TerminateEnvironmentOutput, error) {
	e, err := st.findEnv(in.EnvironmentName, in.EnvironmentId)
	if err != nil {
		return nil, err
	}
	switch e.status {
	case types.EnvironmentStatusReady:
	case types.EnvironmentStatusTerminating:
		return nil, invalidParam("No Environment found for EnvironmentName = '%s'.", e.name)
	default:
		if !aws.ToBool(in.ForceTerminate) {
			return nil, mustBeReady(e.name)
		}
	}
	e.lastRequestID = c.requestID
	st.startTermination(c, e)
	return copyInto(&eb.TerminateEnvironmentOutput{}, e.describe()), nil
}

func (st *state) swapEnvironmentCNAMEs(c call, in *eb.SwapEnvironmentCNAMEsInput) (*eb.SwapEnvironmentCNAMEsOutput, error) {
	src, err := st.findEnv(in.SourceEnvironmentName, in.SourceEnvironmentId)
	if err != nil {
		return nil, err
	}
	dst, err := st.findEnv(in.DestinationEnvironmentName, in.DestinationEnvironmentId)
	if err != nil {
		return nil, err
	}
	if src == dst {
		return nil, invalidParam("Source and destination environments must be different.")
	}
	for _, e := range []*environment{src, dst} {
		if e.status != types.EnvironmentStatusReady {
			return nil, mustBeReady(e.name)
		}
	}
	src.lastRequestID, dst.lastRequestID = c.requestID, c.requestID
	st.startSwap(c, src, dst)
	return &eb.SwapEnvironmentCNAMEsOutput{}, nil
}

func (st *state) describeEnvironmentHealth(c call, in *eb.DescribeEnvironmentHealthInput) (*eb.DescribeEnvironmentHealthOutput, error) {
	e, err := st.findEnv(in.EnvironmentName, in.EnvironmentId)
	if err != nil {
		return nil, err
	}
	if !e.enhanced {
		return nil, &APIError{Code: "InvalidRequestException", Message: "Enhanced health reporting is not enabled for environment " + e.name + "."}
	}
	return &eb.DescribeEnvironmentHealthOutput{
		EnvironmentName: aws.String(e.name),
		HealthStatus:    aws.String(string(e.healthStatus)),
		Status:          e.health,
		Color:           aws.String(string(e.health)),
		Causes:          append([]string{}, e.causes...),
		RefreshedAt:     aws.Time(c.now),
	}, nil
}

func (st *state) describeConfigurationSettings(c call, in *eb.DescribeConfigurationSettingsInput) (*eb.DescribeConfigurationSettingsOutput, error) {
	if in.TemplateName != nil {
		return nil, invalidParam("Configuration templates are not simulated.")
	}
	e, err := st.findEnv(in.EnvironmentName, nil)
	if err != nil {
		return nil, err
	}
	if aws.ToString(in.ApplicationName) != e.app {
		return nil, invalidParam("No Environment found for EnvironmentName = '%s' in application '%s'.", e.name, aws.ToString(in.ApplicationName))
	}
	return &eb.DescribeConfigurationSettingsOutput{ConfigurationSettings: []types.ConfigurationSettingsDescription{{
		ApplicationName:   aws.String(e.app),
		EnvironmentName:   aws.String(e.name),
		DeploymentStatus:  types.ConfigurationDeploymentStatusDeployed,
		SolutionStackName: aws.String(e.solutionStack),
		PlatformArn:       aws.String(e.platformArn),
		DateCreated:       aws.Time(e.created),
		DateUpdated:       aws.Time(e.updated),
		OptionSettings:    e.settingsOf(),
	}}}, nil
}

// coupleDatabase: an environment created with any aws:rds:dbinstance
// option gets a database coupled to it, as Beanstalk reports with
// HasCoupledDatabase.
func coupleDatabase(opts []types.ConfigurationOptionSetting) []types.ConfigurationOptionSetting {
	if _, set := optionValue(opts, nsRDS, "HasCoupledDatabase"); set {
		return opts
	}
	for _, o := range opts {
		if aws.ToString(o.Namespace) == nsRDS {
			return append(opts, types.ConfigurationOptionSetting{Namespace: aws.String(nsRDS), OptionName: aws.String("HasCoupledDatabase"), Value: aws.String("true")})
		}
	}
	return opts
}
