package push

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseEvent(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		body string
		env  string
		at   time.Time
		ok   bool
		err  bool
	}{
		"resource status change": {
			body: `{"version":"0","id":"1","detail-type":"Elastic Beanstalk resource status change","source":"aws.elasticbeanstalk","account":"123456789012","time":"2026-11-23T10:00:05Z","region":"us-east-1","resources":["arn:aws:elasticbeanstalk:us-east-1:123456789012:environment/hello/hello-1-0-0"],"detail":{"Status":"Environment creation successful","EventDate":1795428000000,"ApplicationName":"hello","Message":"createEnvironment completed successfully.","EnvironmentName":"hello-1-0-0","Severity":"INFO"}}`,
			env:  "hello-1-0-0", at: at, ok: true,
		},
		"health change, date as a string": {
			body: `{"detail-type":"Health status change","source":"aws.elasticbeanstalk","detail":{"EventDate":"1795428000000","EnvironmentName":"hello-1-0-0"}}`,
			env:  "hello-1-0-0", at: at, ok: true,
		},
		"name from the resource, time from the envelope": {
			body: `{"source":"aws.elasticbeanstalk","time":"2026-11-23T10:00:00Z","resources":["arn:aws:elasticbeanstalk:us-east-1:123456789012:environment/hello/hello-1-0-0"],"detail":{}}`,
			env:  "hello-1-0-0", at: at, ok: true,
		},
		"an application's event":   {body: `{"source":"aws.elasticbeanstalk","resources":["arn:aws:elasticbeanstalk:us-east-1:1:application/hello"],"detail":{"ApplicationName":"hello"}}`},
		"another source":           {body: `{"source":"aws.ec2","detail":{"EnvironmentName":"x"}}`},
		"not JSON":                 {body: `Elastic Beanstalk says hello`, err: true},
		"detail of the wrong type": {body: `{"source":"aws.elasticbeanstalk","detail":"hello-1-0-0"}`, err: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			n, ok, err := ParseEvent([]byte(tc.body))
			if tc.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.env, n.Environment)
			assert.True(t, tc.at.Equal(n.At), "at %s, want %s", n.At, tc.at)
		})
	}
}

// FuzzParseEvent: a queue's messages are anyone's; no body makes the
// parser panic, and a nudge always names an environment.
func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(`{"source":"aws.elasticbeanstalk","detail":{"EnvironmentName":"e","EventDate":1}}`))
	f.Add([]byte(`{"source":"aws.elasticbeanstalk","resources":["arn:aws:elasticbeanstalk:r:a:environment/app/e"],"detail":{"EventDate":"x"}}`))
	f.Add([]byte(`{"source":"aws.elasticbeanstalk","detail":{"EventDate":[1,2]}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, ok, err := ParseEvent(body)
		if ok && (err != nil || n.Environment == "") {
			t.Fatalf("nudge %+v, ok with err %v", n, err)
		}
	})
}
