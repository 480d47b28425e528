package beanstalk

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// OptionsAPI describes the options a platform offers, with their
// defaults; *elasticbeanstalk.Client satisfies it.
type OptionsAPI interface {
	DescribeConfigurationOptions(ctx context.Context, in *eb.DescribeConfigurationOptionsInput, optFns ...func(*eb.Options)) (*eb.DescribeConfigurationOptionsOutput, error)
}

// Drift is an option the new environment will have differently from the
// live one: a deploy creates it from the configuration alone, so a
// setting changed on the live environment by hand (the console, the eb
// CLI) is not carried over.
type Drift struct {
	Namespace, Name string
	// Environment is the live environment.
	Environment string
	// Live and New are the values; container variables' values are never
	// kept (they may be secrets): Live and New are "" for them.
	Live, New string
	// Dropped: this deploy does not set the option, so the new
	// environment gets Beanstalk's default (Default, when known) instead
	// of the live value.
	Dropped bool
	Default string
}

func (d Drift) String() string {
	key := d.Namespace + " " + d.Name
	hidden := isVariables(d.Namespace)
	switch {
	case d.Dropped && hidden:
		return fmt.Sprintf("%s: set on %s (value not shown), not in this configuration: dropped", key, d.Environment)
	case d.Dropped && d.Default != "":
		return fmt.Sprintf("%s: %q on %s, not in this configuration: the new environment gets the default %q", key, d.Live, d.Environment, d.Default)
	case d.Dropped:
		return fmt.Sprintf("%s: %q on %s, not in this configuration: dropped", key, d.Live, d.Environment)
	case hidden:
		return fmt.Sprintf("%s: value differs from %s's (not shown)", key, d.Environment)
	}
	return fmt.Sprintf("%s: %q on %s, %q in this configuration", key, d.Live, d.Environment, d.New)
}

// isVariables: the namespaces of container variables, whose values may
// be secrets.
func isVariables(ns string) bool { return ns == NamespaceEnvVars || ns == NamespaceSecretRefs }

type optionKey struct{ ns, name string }

// generated are options Beanstalk fills per environment, whose values
// differ between any two environments without anyone changing them.
func generated(ns, name, value string, live types.EnvironmentDescription) bool {
	return ns == "aws:cloudformation:template:parameter" ||
		strings.Contains(value, "awseb-") ||
		(aws.ToString(live.EnvironmentId) != "" && strings.Contains(value, aws.ToString(live.EnvironmentId))) ||
		strings.Contains(value, aws.ToString(live.EnvironmentName))
}

// drift compares the live environment's settings with the new one's
// options. managed are options beanswap sets differently on purpose
// (the release's variables, a minimum raised for capacity parity).
func (d Deployer) drift(ctx context.Context, m *Monitor, live types.EnvironmentDescription, settings []types.ConfigurationOptionSetting, next []OptionSetting, platform Platform, managed map[optionKey]bool) ([]Drift, error) {
	name := aws.ToString(live.EnvironmentName)
	want := map[optionKey]OptionSetting{}
	for _, o := range next {
		want[optionKey{o.Namespace, o.Name}] = o
	}
	have := map[optionKey]string{}
	for _, o := range settings {
		have[optionKey{aws.ToString(o.Namespace), aws.ToString(o.OptionName)}] = aws.ToString(o.Value)
	}
	var out, dropped []Drift
	for k, v := range have {
		if managed[k] || generated(k.ns, k.name, v, live) {
			continue
		}
		o, set := want[k]
		switch {
		case set:
			nv := o.Value
			if !o.Secret.IsZero() {
				nv = o.Secret.Reveal()
			}
			if nv != v {
				dr := Drift{Namespace: k.ns, Name: k.name, Environment: name, Live: v, New: o.Value}
				if isVariables(k.ns) || !o.Secret.IsZero() {
					dr.Live, dr.New = "", ""
				}
				out = append(out, dr)
			}
		case v != "":
			dr := Drift{Namespace: k.ns, Name: k.name, Environment: name, Live: v, Dropped: true}
			if isVariables(k.ns) {
				dr.Live = ""
			}
			dropped = append(dropped, dr)
		}
	}
	dropped, err := d.withoutDefaults(ctx, m, platform, dropped)
	if err != nil {
		return nil, err
	}
	out = append(out, dropped...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// withoutDefaults drops from dropped the options whose live value is
// Beanstalk's default anyway, asking the platform for the defaults.
func (d Deployer) withoutDefaults(ctx context.Context, m *Monitor, platform Platform, dropped []Drift) ([]Drift, error) {
	var ask []types.OptionSpecification
	for _, dr := range dropped {
		if !isVariables(dr.Namespace) {
			ask = append(ask, types.OptionSpecification{Namespace: aws.String(dr.Namespace), OptionName: aws.String(dr.Name)})
		}
	}
	if len(ask) == 0 {
		return dropped, nil
	}
	in := &eb.DescribeConfigurationOptionsInput{Options: ask}
	if platform.ARN != "" {
		in.PlatformArn = aws.String(platform.ARN)
	} else {
		in.SolutionStackName = aws.String(platform.SolutionStackName)
	}
	out, err := call(ctx, m, "describe configuration options", func() (*eb.DescribeConfigurationOptionsOutput, error) {
		return d.EB.DescribeConfigurationOptions(ctx, in)
	})
	if err != nil {
		return nil, fmt.Errorf("read the platform's option defaults (to compare with the live environment): %w", err)
	}
	defaults := map[optionKey]string{}
	for _, o := range out.Options {
		defaults[optionKey{aws.ToString(o.Namespace), aws.ToString(o.Name)}] = aws.ToString(o.DefaultValue)
	}
	var kept []Drift
	for _, dr := range dropped {
		def, known := defaults[optionKey{dr.Namespace, dr.Name}]
		if known && def == dr.Live {
			continue
		}
		dr.Default = def
		kept = append(kept, dr)
	}
	return kept, nil
}
