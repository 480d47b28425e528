package beanstalktest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

const maxTags = 50

func checkTags(tags []types.Tag) error {
	if len(tags) > maxTags {
		return &APIError{Code: "TooManyTagsException", Message: "The number of tags in the resource would exceed the number of tags that each resource can have (50)."}
	}
	for _, t := range tags {
		k := aws.ToString(t.Key)
		if k == "" || len(k) > 128 || len(aws.ToString(t.Value)) > 256 {
			return invalidParam("Tag key %q or its value has an invalid length.", k)
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") || strings.HasPrefix(k, "elasticbeanstalk:") {
			return invalidParam("Tag key %q is reserved.", k)
		}
	}
	return nil
}

// tagsOf returns a pointer to the tag list of the resource named by arn,
// and the environment when it is one.
func (st *state) tagsOf(arn string) (*[]types.Tag, *environment, bool) {
	for _, e := range st.envs {
		if e.arn == arn && e.status != types.EnvironmentStatusTerminated {
			return &e.tags, e, true
		}
	}
	for _, a := range st.apps {
		if a.arn == arn {
			return &a.tags, nil, true
		}
		for _, v := range a.versions {
			if v.arn == arn {
				return &v.tags, nil, true
			}
		}
	}
	return nil, nil, false
}

func (st *state) listTagsForResource(c call, in *eb.ListTagsForResourceInput) (*eb.ListTagsForResourceOutput, error) {
	arn := aws.ToString(in.ResourceArn)
	tags, _, ok := st.tagsOf(arn)
	if !ok {
		return nil, &APIError{Code: CodeResourceNotFound, Message: "Resource " + arn + " not found."}
	}
	out := slices.Clone(*tags)
	if out == nil {
		out = []types.Tag{}
	}
	return &eb.ListTagsForResourceOutput{ResourceArn: in.ResourceArn, ResourceTags: out}, nil
}

func (st *state) updateTagsForResource(c call, in *eb.UpdateTagsForResourceInput) (*eb.UpdateTagsForResourceOutput, error) {
	arn := aws.ToString(in.ResourceArn)
	tags, env, ok := st.tagsOf(arn)
	if !ok {
		return nil, &APIError{Code: CodeResourceNotFound, Message: "Resource " + arn + " not found."}
	}
	// Tags of an environment are applied by an environment update: one
	// at a time, and not while another operation runs.
	if env != nil && env.status != types.EnvironmentStatusReady {
		return nil, &APIError{Code: CodeOperationInProgress, Message: fmt.Sprintf("Environment %s is %s: another operation is in progress; try again once it is Ready.", env.name, env.status)}
	}
	if err := checkTags(in.TagsToAdd); err != nil {
		return nil, err
	}
	next := slices.DeleteFunc(slices.Clone(*tags), func(t types.Tag) bool {
		return slices.Contains(in.TagsToRemove, aws.ToString(t.Key)) || hasTag(in.TagsToAdd, aws.ToString(t.Key))
	})
	next = append(next, in.TagsToAdd...)
	if len(next) > maxTags {
		return nil, checkTags(next)
	}
	*tags = next
	if env != nil {
		env.lastRequestID = c.requestID
		st.startTagUpdate(c, env)
	}
	return &eb.UpdateTagsForResourceOutput{}, nil
}

func hasTag(tags []types.Tag, key string) bool {
	return slices.ContainsFunc(tags, func(t types.Tag) bool { return aws.ToString(t.Key) == key })
}
