package beanstalktest

import (
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// optionSpec is an option the Docker platforms offer, with its default.
type optionSpec struct {
	ns, name, def string
}

// optionCatalogue is the part of the Docker platforms' options the
// simulator knows: DescribeConfigurationOptions describes them, and
// DescribeConfigurationSettings reports every one of them, as AWS does
// (defaults included), under the values an environment set.
var optionCatalogue = []optionSpec{
	{nsASG, "MinSize", "1"},
	{nsASG, "MaxSize", "4"},
	{nsLaunch, "IamInstanceProfile", ""},
	{nsLaunch, "EC2KeyName", ""},
	{nsLaunch, "DisableIMDSv1", "false"},
	{nsLaunch, "RootVolumeSize", ""},
	{"aws:ec2:instances", "InstanceTypes", "t3.micro,t3.small"},
	{nsEnvironment, "EnvironmentType", "LoadBalanced"},
	{nsEnvironment, "LoadBalancerType", "application"},
	{nsEnvironment, "ServiceRole", ""},
	{"aws:elasticbeanstalk:command", "Timeout", "600"},
	{"aws:elasticbeanstalk:command", "DeploymentPolicy", "AllAtOnce"},
	{nsHealth, "SystemType", "basic"},
	{"aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", "false"},
	{"aws:elasticbeanstalk:cloudwatch:logs", "RetentionInDays", "7"},
	{"aws:elasticbeanstalk:environment:process:default", "HealthCheckPath", "/"},
	{"aws:elasticbeanstalk:environment:process:default", "Port", "80"},
	{"aws:elasticbeanstalk:application", "Application Healthcheck URL", ""},
	{"aws:elasticbeanstalk:environment:proxy", "ProxyServer", "nginx"},
	{"aws:elasticbeanstalk:sns:topics", "Notification Endpoint", ""},
}

// settingsOf is every option of e with its value: the catalogue's
// defaults, what Beanstalk generated for e, then what was set (the last
// setting of an option wins), in the catalogue's order.
func (e *environment) settingsOf() []types.ConfigurationOptionSetting {
	type key struct{ ns, name string }
	values := map[key]string{}
	var order []key
	put := func(ns, name, v string) {
		k := key{ns, name}
		if _, ok := values[k]; !ok {
			order = append(order, k)
		}
		values[k] = v
	}
	for _, o := range optionCatalogue {
		put(o.ns, o.name, o.def)
	}
	put(nsLaunch, "SecurityGroups", fmt.Sprintf("awseb-%s-stack-AWSEBSecurityGroup-%s", e.id, e.securityGroup))
	for _, o := range e.options {
		put(aws.ToString(o.Namespace), aws.ToString(o.OptionName), aws.ToString(o.Value))
	}
	out := make([]types.ConfigurationOptionSetting, 0, len(order))
	for _, k := range order {
		out = append(out, types.ConfigurationOptionSetting{Namespace: aws.String(k.ns), OptionName: aws.String(k.name), Value: aws.String(values[k])})
	}
	return out
}

func (st *state) describeConfigurationOptions(c call, in *eb.DescribeConfigurationOptionsInput) (*eb.DescribeConfigurationOptionsOutput, error) {
	var p platform
	switch {
	case aws.ToString(in.EnvironmentName) != "":
		e, err := st.findEnv(in.EnvironmentName, nil)
		if err != nil {
			return nil, err
		}
		p, _ = st.findPlatform(e.solutionStack, "")
	case in.PlatformArn != nil || in.SolutionStackName != nil:
		var ok bool
		if p, ok = st.findPlatform(aws.ToString(in.SolutionStackName), aws.ToString(in.PlatformArn)); !ok {
			return nil, invalidParam("No Platform named '%s' found.", aws.ToString(in.PlatformArn)+aws.ToString(in.SolutionStackName))
		}
	default:
		return nil, missingParam("EnvironmentName, PlatformArn or SolutionStackName")
	}
	out := &eb.DescribeConfigurationOptionsOutput{SolutionStackName: aws.String(p.stack), PlatformArn: aws.String(st.platformArn(p))}
	for _, o := range optionCatalogue {
		wanted := len(in.Options) == 0 || slices.ContainsFunc(in.Options, func(s types.OptionSpecification) bool {
			return aws.ToString(s.Namespace) == o.ns && aws.ToString(s.OptionName) == o.name
		})
		if wanted {
			out.Options = append(out.Options, types.ConfigurationOptionDescription{
				Namespace: aws.String(o.ns), Name: aws.String(o.name), DefaultValue: aws.String(o.def),
				ChangeSeverity: aws.String("RestartEnvironment"), UserDefined: aws.Bool(false), ValueType: types.ConfigurationOptionValueTypeScalar,
			})
		}
	}
	return out, nil
}
