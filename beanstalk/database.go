package beanstalk

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// NamespaceRDS holds a database coupled to the environment.
const NamespaceRDS = "aws:rds:dbinstance"

// ConfigurationAPI reads an environment's configuration;
// *elasticbeanstalk.Client satisfies it.
type ConfigurationAPI interface {
	DescribeConfigurationSettings(ctx context.Context, in *eb.DescribeConfigurationSettingsInput, optFns ...func(*eb.Options)) (*eb.DescribeConfigurationSettingsOutput, error)
}

// ErrCoupledDatabase is wrapped by *CoupledDatabaseError.
var ErrCoupledDatabase = errors.New("the environment owns its database")

// CoupledDatabaseError reports that the live environment was created
// with an RDS database coupled to it. Blue/green would start the new
// environment with a new, empty database, and terminating the old one
// would delete the data.
type CoupledDatabaseError struct {
	Environment string
	// DeletionPolicy is aws:rds:dbinstance DBDeletionPolicy (Delete when unset).
	DeletionPolicy string
}

func (e *CoupledDatabaseError) Error() string {
	return fmt.Sprintf("%s owns its database (aws:rds:dbinstance, deletion policy %s): a blue/green deploy would give the new environment an empty database of its own. "+
		"Decouple it first (Elastic Beanstalk console: Configuration → Database → Decouple database, or UpdateEnvironment with %s HasCoupledDatabase=false and DBDeletionPolicy=Retain), "+
		"then pass its endpoint to the service with env_vars or secrets, and deploy again", e.Environment, e.DeletionPolicy, NamespaceRDS)
}

func (e *CoupledDatabaseError) Unwrap() error { return ErrCoupledDatabase }

// CheckDatabase returns a *CoupledDatabaseError when env of app has a
// database coupled to it: live traffic must not leave it for another
// environment, whose database is a different one.
func (m *Monitor) CheckDatabase(ctx context.Context, api ConfigurationAPI, app, env string) error {
	settings, err := m.settings(ctx, api, app, env)
	if err != nil {
		return err
	}
	return checkDatabase(env, settings)
}

func checkDatabase(env string, settings []types.ConfigurationOptionSetting) error {
	if coupled, policy := coupledDatabase(settings); coupled {
		return &CoupledDatabaseError{Environment: env, DeletionPolicy: policy}
	}
	return nil
}

// database says whether env of app has a coupled database, and the
// deletion policy Beanstalk would apply to it when env terminates.
func (m *Monitor) database(ctx context.Context, api ConfigurationAPI, app, env string) (coupled bool, policy string, err error) {
	settings, err := m.settings(ctx, api, app, env)
	if err != nil {
		return false, "", err
	}
	coupled, policy = coupledDatabase(settings)
	return coupled, policy, nil
}

// settings reads env's configuration: every option with its value.
func (m *Monitor) settings(ctx context.Context, api ConfigurationAPI, app, env string) ([]types.ConfigurationOptionSetting, error) {
	out, err := call(ctx, m, "describe configuration of "+env, func() (*eb.DescribeConfigurationSettingsOutput, error) {
		return api.DescribeConfigurationSettings(ctx, &eb.DescribeConfigurationSettingsInput{ApplicationName: aws.String(app), EnvironmentName: aws.String(env)})
	})
	if err != nil {
		return nil, err
	}
	var all []types.ConfigurationOptionSetting
	for _, cs := range out.ConfigurationSettings {
		all = append(all, cs.OptionSettings...)
	}
	return all, nil
}

// coupledDatabase reads the aws:rds:dbinstance options.
func coupledDatabase(settings []types.ConfigurationOptionSetting) (coupled bool, policy string) {
	hasCoupled, engine := "", ""
	policy = "Delete"
	for _, o := range settings {
		if aws.ToString(o.Namespace) != NamespaceRDS {
			continue
		}
		v := aws.ToString(o.Value)
		switch aws.ToString(o.OptionName) {
		case "HasCoupledDatabase":
			hasCoupled = strings.ToLower(v)
		case "DBEngine":
			engine = v
		case "DBDeletionPolicy":
			if v != "" {
				policy = v
			}
		}
	}
	// Environments older than the HasCoupledDatabase option have a
	// database when they have an engine.
	return hasCoupled == "true" || (hasCoupled == "" && engine != ""), policy
}
