package beanstalktest

import (
	"net/url"
	"reflect"
	"regexp"
	"strconv"
)

// handler serves one Beanstalk action. It runs with Server.mu held and
// the state advanced to c.now.
type handler func(st *state, form url.Values, c call) (any, error)

// op adapts a typed operation: the form decodes into the SDK's input type.
func op[In any, Out any](f func(st *state, c call, in *In) (*Out, error)) handler {
	return func(st *state, form url.Values, c call) (any, error) {
		in := new(In)
		if err := decodeQuery(form, in); err != nil {
			return nil, invalidParam("%v", err)
		}
		out, err := f(st, c, in)
		if err != nil {
			return nil, err
		}
		if out == nil || !hasMembers(reflect.TypeOf(out).Elem()) {
			return nil, nil
		}
		return out, nil
	}
}

// hasMembers reports whether an output type has anything to encode.
func hasMembers(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() && f.Name != "ResultMetadata" {
			return true
		}
	}
	return false
}

// handlers lists the actions the simulator implements; any other answers
// InvalidAction, as AWS does for an unknown one.
var handlers = map[string]handler{
	"CreateApplication":             op((*state).createApplication),
	"DescribeApplications":          op((*state).describeApplications),
	"DeleteApplication":             op((*state).deleteApplication),
	"CreateApplicationVersion":      op((*state).createApplicationVersion),
	"DescribeApplicationVersions":   op((*state).describeApplicationVersions),
	"DeleteApplicationVersion":      op((*state).deleteApplicationVersion),
	"CheckDNSAvailability":          op((*state).checkDNSAvailability),
	"CreateEnvironment":             op((*state).createEnvironment),
	"DescribeEnvironments":          op((*state).describeEnvironments),
	"UpdateEnvironment":             op((*state).updateEnvironment),
	"TerminateEnvironment":          op((*state).terminateEnvironment),
	"SwapEnvironmentCNAMEs":         op((*state).swapEnvironmentCNAMEs),
	"DescribeEnvironmentHealth":     op((*state).describeEnvironmentHealth),
	"DescribeConfigurationSettings": op((*state).describeConfigurationSettings),
	"DescribeEnvironmentResources":  op((*state).describeEnvironmentResources),
	"DescribeConfigurationOptions":  op((*state).describeConfigurationOptions),
	"DescribeInstancesHealth":       op((*state).describeInstancesHealth),
	"RequestEnvironmentInfo":        op((*state).requestEnvironmentInfo),
	"RetrieveEnvironmentInfo":       op((*state).retrieveEnvironmentInfo),
	"DescribeEvents":                op((*state).describeEvents),
	"ListAvailableSolutionStacks":   op((*state).listAvailableSolutionStacks),
	"ListPlatformVersions":          op((*state).listPlatformVersions),
	"DescribePlatformVersion":       op((*state).describePlatformVersion),
	"ListTagsForResource":           op((*state).listTagsForResource),
	"UpdateTagsForResource":         op((*state).updateTagsForResource),
	"CreateStorageLocation":         op((*state).createStorageLocation),
}

// Actions returns the Beanstalk actions the simulator implements.
func Actions() []string {
	out := make([]string, 0, len(handlers))
	for a := range handlers {
		out = append(out, a)
	}
	return out
}

// Name rules Elastic Beanstalk enforces.
var (
	environmentNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{2,38}[A-Za-z0-9]$`)
	cnamePrefixPattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$`)
)

// page cuts items for MaxRecords/NextToken paging by offset. An empty page
// is an empty list, not a missing one, as Beanstalk answers.
func page[T any](items []T, maxRecords *int32, nextToken *string, limit int) ([]T, *string, error) {
	start := 0
	if nextToken != nil && *nextToken != "" {
		n, err := strconv.Atoi(*nextToken)
		if err != nil || n < 0 || n > len(items) {
			return nil, nil, invalidParam("Invalid NextToken.")
		}
		start = n
	}
	size := limit
	if maxRecords != nil && *maxRecords > 0 && int(*maxRecords) < limit {
		size = int(*maxRecords)
	}
	end := start + size
	if end >= len(items) {
		return append(make([]T, 0, len(items)-start), items[start:]...), nil, nil
	}
	tok := strconv.Itoa(end)
	return items[start:end], &tok, nil
}
