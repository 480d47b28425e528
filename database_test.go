package beanswap

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/config"
)

// handmade creates an environment outside beanswap, as the console
// would, with extra options.
func (h *harness) handmade(name, prefix string, opts ...types.ConfigurationOptionSetting) {
	h.t.Helper()
	c := eb.NewFromConfig(h.sim.Config())
	_, err := c.CreateApplication(context.Background(), &eb.CreateApplicationInput{ApplicationName: aws.String("hello")})
	if err != nil {
		require.ErrorContains(h.t, err, "already exists")
	}
	in := &eb.CreateEnvironmentInput{ApplicationName: aws.String("hello"), EnvironmentName: aws.String(name),
		SolutionStackName: aws.String("64bit Amazon Linux 2023 v4.13.1 running Docker"),
		OptionSettings: append([]types.ConfigurationOptionSetting{
			{Namespace: aws.String("aws:autoscaling:launchconfiguration"), OptionName: aws.String("IamInstanceProfile"), Value: aws.String("aws-elasticbeanstalk-ec2-role")},
		}, opts...)}
	if prefix != "" {
		in.CNAMEPrefix = aws.String(prefix)
	}
	_, err = c.CreateEnvironment(context.Background(), in)
	require.NoError(h.t, err)
	h.clock.Advance(10 * time.Minute) // launched and listed
}

func rds(name, value string) types.ConfigurationOptionSetting {
	return types.ConfigurationOptionSetting{Namespace: aws.String(beanstalk.NamespaceRDS), OptionName: aws.String(name), Value: aws.String(value)}
}

// TestLiveEnvironmentWithACoupledDatabaseIsNotReplaced: blue/green would
// give the new environment an empty database, and pruning the old one
// would delete the data. The deploy refuses before creating anything.
func TestLiveEnvironmentWithACoupledDatabaseIsNotReplaced(t *testing.T) {
	h := newHarness(t, nil)
	h.handmade("hello-console", "hello", rds("DBEngine", "postgres"), rds("DBInstanceClass", "db.t3.micro"))

	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.ErrorIs(t, err, beanstalk.ErrCoupledDatabase)
	var dbErr *beanstalk.CoupledDatabaseError
	require.ErrorAs(t, err, &dbErr)
	assert.Equal(t, "hello-console", dbErr.Environment)
	assert.Equal(t, "Delete", dbErr.DeletionPolicy)
	assert.Contains(t, err.Error(), "Decouple")
	assert.Equal(t, 0, h.sim.CallCount("CreateApplicationVersion"), "refused before anything changed")
	assert.Equal(t, 1, h.sim.CallCount("CreateEnvironment"), "only the test's own")

	_, err = h.service().Plan(context.Background(), "registry.example.com/team/hello:1.0.0")
	assert.ErrorIs(t, err, beanstalk.ErrCoupledDatabase, "the dry run says so too")
}

// TestPruneSparesCoupledDatabases: terminating an environment deletes
// its coupled database unless its deletion policy is Retain.
func TestPruneSparesCoupledDatabases(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.PruneUnmanaged = true; c.KeepEnvironments = 0 })
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	h.handmade("hello-reporting", "", rds("DBEngine", "mysql"))
	h.handmade("hello-archive", "", rds("DBEngine", "mysql"), rds("DBDeletionPolicy", "Retain"))
	h.handmade("hello-scratch", "")
	h.clock.Advance(3 * time.Hour)

	svc := h.service()
	plan, err := svc.PlanPrune(context.Background())
	require.NoError(t, err)
	assert.Contains(t, plan.String(), "hello-reporting: would go")
	assert.Contains(t, plan.String(), "would delete its coupled database (DBDeletionPolicy Delete)")
	res, err := svc.Prune(context.Background())
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"hello-archive", "hello-scratch"}, res.Terminated, "%s", res.Plan)
	assert.Contains(t, h.active(), "hello-reporting")
}
