package beanstalktest

import (
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

var severityRank = map[types.EventSeverity]int{
	types.EventSeverityTrace: 0, types.EventSeverityDebug: 1, types.EventSeverityInfo: 2,
	types.EventSeverityWarn: 3, types.EventSeverityError: 4, types.EventSeverityFatal: 5,
}

// describeEvents lists events newest first. NextToken holds the sequence
// number of the last event returned, so pages stay stable while new
// events arrive.
func (st *state) describeEvents(c call, in *eb.DescribeEventsInput) (*eb.DescribeEventsOutput, error) {
	limit := 100
	if in.MaxRecords != nil {
		if *in.MaxRecords < 1 || *in.MaxRecords > 1000 {
			return nil, invalidParam("MaxRecords must be between 1 and 1000.")
		}
		limit = int(*in.MaxRecords)
	}
	var before int64 = 1 << 62
	if tok := aws.ToString(in.NextToken); tok != "" {
		n, err := strconv.ParseInt(tok, 10, 64)
		if err != nil || n < 0 {
			return nil, invalidParam("Invalid NextToken.")
		}
		before = n
	}
	minRank := 0
	if in.Severity != "" {
		r, ok := severityRank[in.Severity]
		if !ok {
			return nil, invalidParam("Invalid Severity %q.", in.Severity)
		}
		minRank = r
	}
	envName := aws.ToString(in.EnvironmentName)
	if id := aws.ToString(in.EnvironmentId); id != "" {
		e := st.envByID(id)
		if e == nil {
			return nil, invalidParam("No Environment found for EnvironmentId = '%s'.", id)
		}
		envName = e.name
	}
	out := &eb.DescribeEventsOutput{Events: []types.EventDescription{}}
	var lastSeq int64
	for i := len(st.events) - 1; i >= 0; i-- {
		ev := st.events[i]
		switch {
		case ev.seq >= before,
			in.ApplicationName != nil && ev.app != *in.ApplicationName,
			envName != "" && ev.env != envName,
			in.VersionLabel != nil && ev.version != *in.VersionLabel,
			in.RequestId != nil && ev.request != *in.RequestId,
			in.StartTime != nil && ev.at.Before(*in.StartTime),
			in.EndTime != nil && !ev.at.Before(*in.EndTime),
			severityRank[ev.severity] < minRank:
			continue
		}
		if len(out.Events) == limit {
			out.NextToken = aws.String(strconv.FormatInt(lastSeq, 10))
			break
		}
		out.Events = append(out.Events, ev.describe())
		lastSeq = ev.seq
	}
	return out, nil
}
