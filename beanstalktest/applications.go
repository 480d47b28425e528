package beanstalktest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

func validApplicationName(name string) bool {
	return name != "" && len(name) <= 100 && !strings.Contains(name, "/")
}

func (st *state) createApplication(c call, in *eb.CreateApplicationInput) (*eb.CreateApplicationOutput, error) {
	name := aws.ToString(in.ApplicationName)
	if name == "" {
		return nil, missingParam("ApplicationName")
	}
	if !validApplicationName(name) {
		return nil, invalidParam("Application name %q is invalid: it must be 1 to 100 characters and contain no '/'.", name)
	}
	if _, ok := st.apps[name]; ok {
		return nil, invalidParam("Application %s already exists.", name)
	}
	if len(st.apps) >= st.quotas.Applications {
		return nil, &APIError{Code: CodeTooManyApplications, Message: fmt.Sprintf("You cannot have more than %d applications.", st.quotas.Applications)}
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	a := &application{
		name: name, description: aws.ToString(in.Description),
		arn:     st.arn("application", name),
		created: c.now, updated: c.now,
		versions: map[string]*appVersion{},
		tags:     slices.Clone(in.Tags),
	}
	st.apps[name] = a
	st.appOrder = append(st.appOrder, name)
	st.emitApp(c.now, name, "", c.requestID, types.EventSeverityInfo, "createApplication completed successfully.")
	d := a.describe()
	return &eb.CreateApplicationOutput{Application: &d}, nil
}

func (a *application) describe() types.ApplicationDescription {
	d := types.ApplicationDescription{
		ApplicationName:        aws.String(a.name),
		ApplicationArn:         aws.String(a.arn),
		DateCreated:            aws.Time(a.created),
		DateUpdated:            aws.Time(a.updated),
		Versions:               []string{},
		ConfigurationTemplates: []string{},
	}
	if a.description != "" {
		d.Description = aws.String(a.description)
	}
	for _, v := range a.sortedVersions() {
		d.Versions = append(d.Versions, v.label)
	}
	return d
}

// sortedVersions returns the versions newest first, as Beanstalk lists them.
func (a *application) sortedVersions() []*appVersion {
	out := make([]*appVersion, 0, len(a.versions))
	for _, v := range a.versions {
		out = append(out, v)
	}
	slices.SortFunc(out, func(x, y *appVersion) int {
		if c := y.created.Compare(x.created); c != 0 {
			return c
		}
		return strings.Compare(y.label, x.label)
	})
	return out
}

func (st *state) describeApplications(c call, in *eb.DescribeApplicationsInput) (*eb.DescribeApplicationsOutput, error) {
	out := &eb.DescribeApplicationsOutput{Applications: []types.ApplicationDescription{}}
	for _, name := range st.appOrder {
		if len(in.ApplicationNames) > 0 && !slices.Contains(in.ApplicationNames, name) {
			continue
		}
		out.Applications = append(out.Applications, st.apps[name].describe())
	}
	return out, nil
}

func (st *state) deleteApplication(c call, in *eb.DeleteApplicationInput) (*eb.DeleteApplicationOutput, error) {
	name := aws.ToString(in.ApplicationName)
	a, ok := st.apps[name]
	if !ok {
		return nil, invalidParam("No Application named '%s' found.", name)
	}
	for _, e := range st.envs {
		if e.app != name || e.status == types.EnvironmentStatusTerminated {
			continue
		}
		if !aws.ToBool(in.TerminateEnvByForce) {
			return nil, invalidParam("Unable to delete application %s because it has running environments.", name)
		}
		if e.status == types.EnvironmentStatusLaunching || e.status == types.EnvironmentStatusReady {
			st.startTermination(c, e)
		}
	}
	delete(st.apps, a.name)
	st.appOrder = slices.DeleteFunc(st.appOrder, func(n string) bool { return n == name })
	return &eb.DeleteApplicationOutput{}, nil
}

func (st *state) createStorageLocation(c call, _ *eb.CreateStorageLocationInput) (*eb.CreateStorageLocationOutput, error) {
	bucket := fmt.Sprintf("elasticbeanstalk-%s-%s", st.region, st.account)
	if ok, _ := st.objects.BucketExists(bucket); !ok {
		if err := st.objects.CreateBucket(bucket); err != nil {
			return nil, &APIError{Code: CodeInternalFailure, Message: err.Error(), Status: 500}
		}
	}
	return &eb.CreateStorageLocationOutput{S3Bucket: aws.String(bucket)}, nil
}
