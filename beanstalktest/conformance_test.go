package beanstalktest

import (
	"context"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/internal/awstest"
)

// observation is what the conformance test compares: the error code, the
// fields an answer fills, and a few values that matter to deploy tools.
type observation struct {
	Code   string
	Fields []string
	Values map[string]string
}

// conformanceSteps are the operations moto implements too, run in order
// against one endpoint through the real SDK.
func conformanceSteps(ctx context.Context, c *eb.Client) (map[string]observation, error) {
	obs := map[string]observation{}
	record := func(name string, out any, err error, values map[string]string) {
		o := observation{Code: apiCode(err), Values: values}
		if err == nil {
			o.Fields = filledFields(out)
		}
		obs[name] = o
	}
	out1, err := c.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String("conform")})
	record("CreateApplication", out1, err, nil)
	_, err = c.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String("conform")})
	record("CreateApplication duplicate", nil, err, nil)
	_, _ = c.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String("conform-other")})
	apps, err := c.DescribeApplications(ctx, &eb.DescribeApplicationsInput{ApplicationNames: []string{"conform"}})
	record("DescribeApplications filtered", apps, err, map[string]string{"count": count(apps, err, func() int { return len(apps.Applications) })})

	stacks, err := c.ListAvailableSolutionStacks(ctx, &eb.ListAvailableSolutionStacksInput{})
	record("ListAvailableSolutionStacks", stacks, err, map[string]string{})
	if err != nil {
		return obs, err
	}
	// Pick the Docker stack as a deploy tool would: newest AL2023 Docker.
	var docker []string
	for _, s := range stacks.SolutionStacks {
		if strings.HasPrefix(s, "64bit Amazon Linux 2023 ") && strings.HasSuffix(s, " running Docker") {
			docker = append(docker, s)
		}
	}
	sort.Strings(docker)
	obs["ListAvailableSolutionStacks"].Values["docker"] = map[bool]string{true: "found", false: "missing"}[len(docker) > 0]
	if len(docker) == 0 {
		return obs, nil
	}
	create := func(name string, app string) (*eb.CreateEnvironmentOutput, error) {
		return c.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{
			ApplicationName: aws.String(app), EnvironmentName: aws.String(name), CNAMEPrefix: aws.String("conform-" + strings.ToLower(strings.ReplaceAll(name, "_", "-"))),
			SolutionStackName: aws.String(docker[len(docker)-1]),
			OptionSettings:    []types.ConfigurationOptionSetting{profile},
			Tags:              []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}},
		})
	}
	env, err := create("conform-v1", "conform")
	record("CreateEnvironment", env, err, map[string]string{"status": statusOf(env, err)})
	_, err = create("conform-v1", "conform")
	record("CreateEnvironment duplicate", nil, err, nil)
	_, err = create("bad_name", "conform")
	record("CreateEnvironment invalid name", nil, err, nil)
	_, err = create("conform-v9", "missing")
	record("CreateEnvironment no application", nil, err, nil)

	envs, err := c.DescribeEnvironments(ctx, &eb.DescribeEnvironmentsInput{EnvironmentNames: []string{"conform-v1"}})
	record("DescribeEnvironments", envs, err, map[string]string{"count": count(envs, err, func() int { return len(envs.Environments) })})
	if env == nil {
		return obs, nil
	}
	tags, err := c.ListTagsForResource(ctx, &eb.ListTagsForResourceInput{ResourceArn: env.EnvironmentArn})
	record("ListTagsForResource", tags, err, map[string]string{"team": tagValue(tags, err, "team")})
	_, err = c.UpdateTagsForResource(ctx, &eb.UpdateTagsForResourceInput{ResourceArn: env.EnvironmentArn, TagsToAdd: []types.Tag{{Key: aws.String("stage"), Value: aws.String("blue")}}, TagsToRemove: []string{"team"}})
	record("UpdateTagsForResource", nil, err, nil)
	tags, err = c.ListTagsForResource(ctx, &eb.ListTagsForResourceInput{ResourceArn: env.EnvironmentArn})
	record("ListTagsForResource after update", tags, err, map[string]string{"team": tagValue(tags, err, "team"), "stage": tagValue(tags, err, "stage")})
	_, err = c.ListTagsForResource(ctx, &eb.ListTagsForResourceInput{ResourceArn: aws.String(aws.ToString(env.EnvironmentArn) + "x")})
	record("ListTagsForResource unknown", nil, err, nil)
	return obs, nil
}

// motoInaccuracies are the known ways moto 5.2.1 differs from Elastic
// Beanstalk in these steps. The simulator follows Beanstalk; the test
// checks each one is still observed, so the list stays true.
var motoInaccuracies = map[string]func(t *testing.T, sim, moto observation){
	"CreateApplication": func(t *testing.T, sim, moto observation) {
		assert.NotContains(t, moto.Fields, "Application.DateCreated", "moto returns no dates")
	},
	"DescribeApplications filtered": func(t *testing.T, sim, moto observation) {
		assert.Equal(t, "1", sim.Values["count"])
		assert.NotEqual(t, "1", moto.Values["count"], "moto ignores ApplicationNames")
	},
	"CreateEnvironment": func(t *testing.T, sim, moto observation) {
		assert.Equal(t, "Launching", sim.Values["status"])
		assert.Equal(t, "Ready", moto.Values["status"], "moto environments are Ready at once")
		for _, f := range []string{"EnvironmentId", "CNAME", "EndpointURL"} {
			assert.Contains(t, sim.Fields, f)
			assert.NotContains(t, moto.Fields, f, "moto leaves %s empty", f)
		}
	},
	"CreateEnvironment invalid name": func(t *testing.T, sim, moto observation) {
		assert.Equal(t, CodeInvalidParameterValue, sim.Code)
		assert.Empty(t, moto.Code, "moto accepts names Beanstalk rejects")
	},
	"DescribeEnvironments": func(t *testing.T, sim, moto observation) {
		assert.Equal(t, "0", sim.Values["count"], "like AWS, a new environment is listed a few seconds after its creation")
		assert.NotEqual(t, "0", moto.Values["count"], "moto lists it at once (and duplicates, ignoring the name filter)")
	},
	"UpdateTagsForResource": func(t *testing.T, sim, moto observation) {
		assert.Equal(t, CodeOperationInProgress, sim.Code, "tags are applied by an environment update: not while it launches")
		assert.Empty(t, moto.Code, "moto updates tags at any time")
	},
	"ListTagsForResource after update": func(t *testing.T, sim, moto observation) {
		assert.Equal(t, map[string]string{"team": "a", "stage": ""}, sim.Values, "the refused update changed nothing")
		assert.Equal(t, map[string]string{"team": "", "stage": "blue"}, moto.Values)
	},
}

func TestConformanceWithMoto(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto_server")
	}
	moto := awstest.StartMoto(t)
	sim := Start(t, Options{})
	ctx := context.Background()

	simObs, err := conformanceSteps(ctx, eb.NewFromConfig(sim.Config()))
	require.NoError(t, err)
	motoObs, err := conformanceSteps(ctx, eb.NewFromConfig(moto.Config()))
	require.NoError(t, err)
	require.Equal(t, len(simObs), len(motoObs), "both ran every step")

	for step, s := range simObs {
		m := motoObs[step]
		t.Run(step, func(t *testing.T) {
			if check, known := motoInaccuracies[step]; known {
				check(t, s, m)
				return
			}
			assert.Equal(t, s.Code, m.Code, "error code")
			assert.Equal(t, s.Values, m.Values)
			// Everything moto fills, the simulator fills; the simulator may
			// fill more (moto omits dates, ids, tags Beanstalk adds).
			for _, f := range m.Fields {
				assert.Contains(t, s.Fields, f)
			}
		})
	}
}

// filledFields lists the non-empty fields of an SDK output, and of the
// first element of its lists and structs, as "Field" and "Field.Sub".
func filledFields(out any) []string {
	var fields []string
	v := reflect.Indirect(reflect.ValueOf(out))
	if !v.IsValid() {
		return nil
	}
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if !f.IsExported() || f.Name == "ResultMetadata" || isEmpty(v.Field(i)) {
			continue
		}
		fields = append(fields, f.Name)
		inner := reflect.Indirect(v.Field(i))
		if inner.Kind() == reflect.Slice && inner.Len() > 0 {
			inner = reflect.Indirect(inner.Index(0))
		}
		if inner.Kind() == reflect.Struct && inner.Type() != timeType {
			for j := 0; j < inner.NumField(); j++ {
				g := inner.Type().Field(j)
				if g.IsExported() && !isEmpty(inner.Field(j)) {
					fields = append(fields, f.Name+"."+g.Name)
				}
			}
		}
	}
	slices.Sort(fields)
	return fields
}

func isEmpty(v reflect.Value) bool {
	v = reflect.Indirect(v)
	return !v.IsValid() || v.IsZero() || (v.Kind() == reflect.Slice && v.Len() == 0)
}

func count(out any, err error, n func() int) string {
	if err != nil || reflect.ValueOf(out).IsNil() {
		return "error"
	}
	return strconv.Itoa(n())
}

func statusOf(out *eb.CreateEnvironmentOutput, err error) string {
	if err != nil {
		return "error"
	}
	return string(out.Status)
}

func tagValue(out *eb.ListTagsForResourceOutput, err error, key string) string {
	if err != nil {
		return "error"
	}
	for _, t := range out.ResourceTags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}
