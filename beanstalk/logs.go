package beanstalk

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// LogsAPI asks the instances for their logs; *elasticbeanstalk.Client
// satisfies it.
type LogsAPI interface {
	RequestEnvironmentInfo(ctx context.Context, in *eb.RequestEnvironmentInfoInput, optFns ...func(*eb.Options)) (*eb.RequestEnvironmentInfoOutput, error)
	RetrieveEnvironmentInfo(ctx context.Context, in *eb.RetrieveEnvironmentInfoInput, optFns ...func(*eb.Options)) (*eb.RetrieveEnvironmentInfoOutput, error)
}

// The kinds of logs Beanstalk compiles.
const (
	// LogTail is the last lines of each log of each instance, as text.
	LogTail = types.EnvironmentInfoTypeTail
	// LogBundle is every log of each instance, zipped.
	LogBundle = types.EnvironmentInfoTypeBundle
)

// InstanceLogs is one instance's logs.
type InstanceLogs struct {
	Instance string
	Sampled  time.Time
	// Body is the tail's text, or the bundle's zip.
	Body []byte
	// Truncated: the download stopped at LogOptions.MaxBytes.
	Truncated bool
}

// LogOptions tune Logs. Zero values mean the defaults.
type LogOptions struct {
	// Kind is LogTail (default) or LogBundle.
	Kind types.EnvironmentInfoType
	// Client downloads the presigned S3 URLs Beanstalk answers with;
	// default http.DefaultClient.
	Client *http.Client
	// Timeout bounds the wait for Beanstalk to compile the logs and the
	// downloads; default 2 minutes.
	Timeout time.Duration
	// MaxBytes bounds each instance's download; default 4 MiB for a
	// tail, 512 MiB for a bundle.
	MaxBytes int64
}

// Logs asks env's instances for their logs and downloads them: one entry
// per instance. Beanstalk compiles them in seconds to a minute; Logs
// polls for them within o.Timeout.
func (m *Monitor) Logs(ctx context.Context, api LogsAPI, app, env string, o LogOptions) ([]InstanceLogs, error) {
	if o.Kind == "" {
		o.Kind = LogTail
	}
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 4 << 20
		if o.Kind == LogBundle {
			o.MaxBytes = 512 << 20
		}
	}
	retrieve := func() ([]types.EnvironmentInfoDescription, error) {
		out, err := call(ctx, m, "retrieve logs of "+env, func() (*eb.RetrieveEnvironmentInfoOutput, error) {
			return api.RetrieveEnvironmentInfo(ctx, &eb.RetrieveEnvironmentInfoInput{EnvironmentName: aws.String(env), InfoType: o.Kind})
		})
		if err != nil {
			return nil, err
		}
		return out.EnvironmentInfo, nil
	}
	// Earlier requests' logs stay listed: only newer samples are ours
	// (compared with Beanstalk's own timestamps, not our clock).
	before, err := retrieve()
	if err != nil {
		return nil, fmt.Errorf("logs of %s: %w", env, err)
	}
	seen := map[string]time.Time{}
	for _, i := range before {
		if t := aws.ToTime(i.SampleTimestamp); t.After(seen[aws.ToString(i.Ec2InstanceId)]) {
			seen[aws.ToString(i.Ec2InstanceId)] = t
		}
	}
	if _, err := call(ctx, m, "request logs of "+env, func() (*eb.RequestEnvironmentInfoOutput, error) {
		return api.RequestEnvironmentInfo(ctx, &eb.RequestEnvironmentInfoInput{EnvironmentName: aws.String(env), InfoType: o.Kind})
	}); err != nil {
		return nil, fmt.Errorf("logs of %s: %w", env, err)
	}
	deadline := m.clock.Now().Add(o.Timeout)
	interval := 3 * time.Second
	for {
		if err := m.clock.Sleep(ctx, interval); err != nil {
			return nil, err
		}
		infos, err := retrieve()
		if err != nil {
			return nil, fmt.Errorf("logs of %s: %w", env, err)
		}
		fresh := map[string]types.EnvironmentInfoDescription{}
		for _, i := range infos {
			id := aws.ToString(i.Ec2InstanceId)
			if t := aws.ToTime(i.SampleTimestamp); t.After(seen[id]) && t.After(aws.ToTime(fresh[id].SampleTimestamp)) {
				fresh[id] = i
			}
		}
		if len(fresh) > 0 {
			return m.download(ctx, fresh, o)
		}
		if !m.clock.Now().Before(deadline) {
			return nil, &TimeoutError{Environment: env, Waiting: "to compile its logs", Waited: o.Timeout}
		}
		interval = min(interval*3/2, 10*time.Second)
	}
}

func (m *Monitor) download(ctx context.Context, infos map[string]types.EnvironmentInfoDescription, o LogOptions) ([]InstanceLogs, error) {
	var out []InstanceLogs
	for id, i := range infos {
		body, truncated, err := fetch(ctx, o.Client, aws.ToString(i.Message), o.MaxBytes)
		if err != nil {
			return nil, fmt.Errorf("download the logs of %s: %w", id, err)
		}
		out = append(out, InstanceLogs{Instance: id, Sampled: aws.ToTime(i.SampleTimestamp), Body: body, Truncated: truncated})
	}
	slices.SortFunc(out, func(a, b InstanceLogs) int { return strings.Compare(a.Instance, b.Instance) })
	return out, nil
}

// fetch downloads a presigned URL; errors name it without its query,
// which carries the signature.
func fetch(ctx context.Context, client *http.Client, raw string, limit int64) ([]byte, bool, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, false, fmt.Errorf("the log URL in Beanstalk's answer is not an http(s) URL")
	}
	where := u.Scheme + "://" + u.Host + u.Path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, false, fmt.Errorf("GET %s: %w", where, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, false, fmt.Errorf("GET %s: %w", where, stripURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, false, fmt.Errorf("GET %s: %s", where, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, false, fmt.Errorf("GET %s: %w", where, err)
	}
	if int64(len(body)) > limit {
		return body[:limit], true, nil
	}
	return body, false, nil
}

// stripURL keeps a *url.Error's cause, not the URL it quotes.
func stripURL(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// LogSection is one file of a tail.
type LogSection struct {
	Path  string
	Lines []string
}

// Sections splits a tail into its files: each comes under a header of
// its path between two rules of dashes. Text before the first header
// (or a tail in an unknown shape) is one section without a path.
func (l InstanceLogs) Sections() []LogSection {
	lines := strings.Split(strings.ReplaceAll(string(l.Body), "\r\n", "\n"), "\n")
	isRule := func(s string) bool { return len(s) >= 10 && strings.Trim(s, "-") == "" }
	var out []LogSection
	cur := &LogSection{}
	flush := func() {
		for len(cur.Lines) > 0 && strings.TrimSpace(cur.Lines[len(cur.Lines)-1]) == "" {
			cur.Lines = cur.Lines[:len(cur.Lines)-1]
		}
		if cur.Path != "" || len(cur.Lines) > 0 {
			out = append(out, *cur)
		}
	}
	for i := 0; i < len(lines); i++ {
		if isRule(lines[i]) && i+2 < len(lines) && strings.HasPrefix(lines[i+1], "/") && isRule(lines[i+2]) {
			flush()
			cur = &LogSection{Path: lines[i+1]}
			i += 2
			continue
		}
		cur.Lines = append(cur.Lines, lines[i])
	}
	flush()
	return out
}
