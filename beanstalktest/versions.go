package beanstalktest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

func (st *state) createApplicationVersion(c call, in *eb.CreateApplicationVersionInput) (*eb.CreateApplicationVersionOutput, error) {
	appName, label := aws.ToString(in.ApplicationName), aws.ToString(in.VersionLabel)
	switch {
	case appName == "":
		return nil, missingParam("ApplicationName")
	case label == "":
		return nil, missingParam("VersionLabel")
	case len(label) > 100 || strings.Contains(label, "/"):
		return nil, invalidParam("Version label %q is invalid: it must be 1 to 100 characters and contain no '/'.", label)
	}
	a, ok := st.apps[appName]
	if !ok {
		if !aws.ToBool(in.AutoCreateApplication) {
			return nil, invalidParam("No Application named '%s' found.", appName)
		}
		if _, err := st.createApplication(c, &eb.CreateApplicationInput{ApplicationName: in.ApplicationName}); err != nil {
			return nil, err
		}
		a = st.apps[appName]
	}
	if _, dup := a.versions[label]; dup {
		return nil, invalidParam("Application Version %s already exists.", label)
	}
	if st.versionCount() >= st.quotas.ApplicationVersions {
		return nil, &APIError{Code: CodeTooManyApplicationVersions, Message: fmt.Sprintf("You cannot have more than %d Application Versions.", st.quotas.ApplicationVersions)}
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	var bucket, key string
	if in.SourceBundle != nil {
		bucket, key = aws.ToString(in.SourceBundle.S3Bucket), aws.ToString(in.SourceBundle.S3Key)
		if _, err := st.objects.HeadObject(bucket, key); err != nil {
			return nil, &APIError{Code: CodeInvalidParameterCombination, Message: fmt.Sprintf("Unable to download from S3 location (Bucket: %s  Key: %s). Reason: Not Found", bucket, key)}
		}
	}
	v := &appVersion{
		app: appName, label: label, description: aws.ToString(in.Description),
		arn:    st.arn("applicationversion", appName+"/"+label),
		bucket: bucket, key: key, created: c.now,
		tags: slices.Clone(in.Tags),
	}
	a.versions[label] = v
	a.updated = c.now
	st.emitApp(c.now, appName, label, c.requestID, types.EventSeverityInfo, "Created new Application Version (%s)", label)
	d := v.describe()
	return &eb.CreateApplicationVersionOutput{ApplicationVersion: &d}, nil
}

func (st *state) describeApplicationVersions(c call, in *eb.DescribeApplicationVersionsInput) (*eb.DescribeApplicationVersionsOutput, error) {
	var all []types.ApplicationVersionDescription
	for _, name := range st.appOrder {
		if in.ApplicationName != nil && *in.ApplicationName != name {
			continue
		}
		for _, v := range st.apps[name].sortedVersions() {
			if len(in.VersionLabels) > 0 && !slices.Contains(in.VersionLabels, v.label) {
				continue
			}
			all = append(all, v.describe())
		}
	}
	items, next, err := page(all, in.MaxRecords, in.NextToken, 1000)
	if err != nil {
		return nil, err
	}
	return &eb.DescribeApplicationVersionsOutput{ApplicationVersions: items, NextToken: next}, nil
}

func (st *state) deleteApplicationVersion(c call, in *eb.DeleteApplicationVersionInput) (*eb.DeleteApplicationVersionOutput, error) {
	appName, label := aws.ToString(in.ApplicationName), aws.ToString(in.VersionLabel)
	a, ok := st.apps[appName]
	if !ok {
		return nil, invalidParam("No Application named '%s' found.", appName)
	}
	v, ok := a.versions[label]
	if !ok {
		return nil, invalidParam("No Application Version named '%s' found.", label)
	}
	var users []string
	for _, e := range st.envs {
		if e.app != appName || e.version != label || e.status == types.EnvironmentStatusTerminated {
			continue
		}
		if e.status != types.EnvironmentStatusReady {
			return nil, &APIError{Code: CodeOperationInProgress, Message: fmt.Sprintf("Unable to delete application version %s because environment %s is being changed; try again when it is Ready.", label, e.name)}
		}
		users = append(users, e.name)
	}
	if len(users) > 0 {
		return nil, invalidParam("Unable to delete application version '%s' because it is being used by environment(s): %s", label, strings.Join(users, ", "))
	}
	if aws.ToBool(in.DeleteSourceBundle) && v.bucket != "" {
		if _, err := st.objects.DeleteObject(v.bucket, v.key); err != nil {
			return nil, &APIError{Code: CodeSourceBundleDeletion, Message: fmt.Sprintf("Unable to delete source bundle s3://%s/%s: %v", v.bucket, v.key, err)}
		}
	}
	delete(a.versions, label)
	return &eb.DeleteApplicationVersionOutput{}, nil
}
