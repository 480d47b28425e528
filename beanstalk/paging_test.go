package beanstalk

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Listings follow their pages to the end, and stop with an error naming
// the listing when a server hands back a token it gave already (the
// watcher's polls have no deadline of their own: they would never end).
func TestListingsStopOnARepeatedPageToken(t *testing.T) {
	// tokens[i] is the token answered with page i (after the first
	// request's), "" ending the listing.
	for _, tc := range []struct {
		name    string
		tokens  []string
		wantErr string
		pages   int
	}{
		{"three pages", []string{"p2", "p3", ""}, "", 3},
		{"a token repeated", []string{"p2", "p2"}, `page token "p2" twice`, 2},
		{"a token back from later", []string{"p2", "p3", "p2"}, `page token "p2" twice`, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			listings := map[string]func(f *fakeEB, calls *int) (int, error){
				"environments": func(f *fakeEB, calls *int) (int, error) {
					f.DescribeEnvironmentsFn = func(*eb.DescribeEnvironmentsInput) (*eb.DescribeEnvironmentsOutput, error) {
						tok := tc.tokens[*calls]
						*calls++
						return &eb.DescribeEnvironmentsOutput{NextToken: aws.String(tok),
							Environments: []types.EnvironmentDescription{{EnvironmentName: aws.String("e")}}}, nil
					}
					envs, err := NewMonitor(f, MonitorOptions{}).Environments(context.Background(), "app")
					return len(envs), err
				},
				"events": func(f *fakeEB, calls *int) (int, error) {
					f.DescribeEventsFn = func(*eb.DescribeEventsInput) (*eb.DescribeEventsOutput, error) {
						tok := tc.tokens[*calls]
						*calls++
						return &eb.DescribeEventsOutput{NextToken: aws.String(tok),
							Events: []types.EventDescription{{EnvironmentName: aws.String("e"), Message: aws.String(tok)}}}, nil
					}
					events, err := NewMonitor(f, MonitorOptions{}).Events(context.Background(), "app", aws.ToTime(nil))
					return len(events), err
				},
				"versions": func(f *fakeEB, calls *int) (int, error) {
					f.DescribeApplicationVersionsFn = func(*eb.DescribeApplicationVersionsInput) (*eb.DescribeApplicationVersionsOutput, error) {
						tok := tc.tokens[*calls]
						*calls++
						return &eb.DescribeApplicationVersionsOutput{NextToken: aws.String(tok),
							ApplicationVersions: []types.ApplicationVersionDescription{{VersionLabel: aws.String(tok)}}}, nil
					}
					versions, err := NewMonitor(f, MonitorOptions{}).versions(context.Background(), f, "app")
					return len(versions), err
				},
			}
			for listing, list := range listings {
				calls := 0
				n, err := list(&fakeEB{}, &calls)
				if tc.wantErr != "" {
					require.Error(t, err, listing)
					assert.ErrorContains(t, err, tc.wantErr, listing)
				} else {
					require.NoError(t, err, listing)
					assert.Equal(t, tc.pages, n, "%s: one item a page", listing)
				}
				assert.Equal(t, tc.pages, calls, "%s: pages asked for", listing)
			}
		})
	}
}
