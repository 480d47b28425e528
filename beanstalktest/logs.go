package beanstalktest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// Logs: each instance keeps an eb-engine.log (the platform's deployment
// steps, an [ERROR] line when one fails) and the container's output.
// RequestEnvironmentInfo asks every instance for the tail of its logs (or
// a bundle of them); after Timing.Info, RetrieveEnvironmentInfo lists
// one presigned S3 URL per instance, served by the simulator's S3.

const (
	engineLogPath    = "/var/log/eb-engine.log"
	containerLogPath = "/var/log/eb-docker/containers/eb-current-app/eb-stdouterr.log"
	hooksLogPath     = "/var/log/eb-hooks.log"
)

// engineLog appends a line to the environment's eb-engine.log, as every
// instance writes it.
func (e *environment) engineLog(at time.Time, level, format string, args ...any) {
	e.engine = append(e.engine, fmt.Sprintf("%s [%s] %s", at.UTC().Format("2006/01/02 15:04:05.000000"), level, fmt.Sprintf(format, args...)))
}

// containerOutput is what the container printed.
func (e *environment) containerOutput() []string {
	if len(e.outcome.ContainerLog) > 0 {
		return e.outcome.ContainerLog
	}
	if e.outcome.FailLaunch || e.version == "" {
		return nil
	}
	return []string{fmt.Sprintf("%s listening on :80 (version %s)", e.app, e.version)}
}

// infoRequest is a RequestEnvironmentInfo waiting to be compiled.
type infoRequest struct {
	kind types.EnvironmentInfoType
	at   time.Time
}

func (st *state) requestEnvironmentInfo(c call, in *eb.RequestEnvironmentInfoInput) (*eb.RequestEnvironmentInfoOutput, error) {
	e, err := st.findEnv(in.EnvironmentName, in.EnvironmentId)
	if err != nil {
		return nil, err
	}
	if in.InfoType != types.EnvironmentInfoTypeTail && in.InfoType != types.EnvironmentInfoTypeBundle {
		return nil, invalidParam("Value '%s' at 'infoType' failed to satisfy constraint: Member must satisfy enum value set: [tail, bundle]", in.InfoType)
	}
	e.infoRequests = append(e.infoRequests, infoRequest{kind: in.InfoType, at: c.now})
	st.emit(c.now, e, types.EventSeverityInfo, "requestEnvironmentInfo is starting.")
	return &eb.RequestEnvironmentInfoOutput{}, nil
}

func (st *state) retrieveEnvironmentInfo(c call, in *eb.RetrieveEnvironmentInfoInput) (*eb.RetrieveEnvironmentInfoOutput, error) {
	e, err := st.findEnv(in.EnvironmentName, in.EnvironmentId)
	if err != nil {
		return nil, err
	}
	out := &eb.RetrieveEnvironmentInfoOutput{EnvironmentInfo: []types.EnvironmentInfoDescription{}}
	for _, r := range e.infoRequests {
		ready := r.at.Add(st.timing.Info)
		if r.kind != in.InfoType || c.now.Before(ready) {
			continue
		}
		for _, id := range e.instances {
			url, err := st.storeInfo(e, id, r.kind, ready)
			if err != nil {
				return nil, &APIError{Code: CodeInternalFailure, Message: err.Error(), Status: 500}
			}
			out.EnvironmentInfo = append(out.EnvironmentInfo, types.EnvironmentInfoDescription{
				InfoType: r.kind, Ec2InstanceId: aws.String(id), SampleTimestamp: aws.Time(ready), Message: aws.String(url),
			})
		}
	}
	return out, nil
}

// storeInfo puts one instance's tail or bundle in the simulator's S3 and
// returns a presigned-looking URL for it.
func (st *state) storeInfo(e *environment, instance string, kind types.EnvironmentInfoType, at time.Time) (string, error) {
	bucket := fmt.Sprintf("elasticbeanstalk-%s-%s", st.region, st.account)
	if ok, _ := st.objects.BucketExists(bucket); !ok {
		if err := st.objects.CreateBucket(bucket); err != nil {
			return "", err
		}
	}
	var body []byte
	ext := "txt"
	if kind == types.EnvironmentInfoTypeBundle {
		body, ext = e.logBundle(), "zip"
	} else {
		body = e.logTail()
	}
	key := fmt.Sprintf("resources/environments/logs/%s/%s/%s/%s.%s", kind, e.id, instance, at.UTC().Format("20060102T150405Z"), ext)
	if _, err := st.objects.PutObject(bucket, key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s/%s/%s?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=%s&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=simulated",
		st.baseURL, bucket, key, at.UTC().Format("20060102T150405Z")), nil
}

// logFiles are the instance's logs, by path.
func (e *environment) logFiles() map[string][]string {
	return map[string][]string{
		engineLogPath:    e.engine,
		containerLogPath: e.containerOutput(),
		hooksLogPath:     nil,
	}
}

// logTail is the tail Beanstalk compiles: the last 100 lines of each log,
// each under a header naming it.
func (e *environment) logTail() []byte {
	files := e.logFiles()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b strings.Builder
	rule := strings.Repeat("-", 40)
	for _, p := range paths {
		lines := files[p]
		if len(lines) > 100 {
			lines = lines[len(lines)-100:]
		}
		fmt.Fprintf(&b, "%s\n%s\n%s\n", rule, p, rule)
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
		b.WriteString("\n\n")
	}
	return []byte(b.String())
}

// logBundle zips the whole logs.
func (e *environment) logBundle() []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := e.logFiles()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		w, err := zw.Create(strings.TrimPrefix(p, "/"))
		if err != nil {
			continue
		}
		for _, l := range files[p] {
			_, _ = w.Write([]byte(l + "\n"))
		}
	}
	_ = zw.Close()
	return buf.Bytes()
}

// describeInstancesHealth reports each instance's health and causes
// (enhanced health only).
func (st *state) describeInstancesHealth(c call, in *eb.DescribeInstancesHealthInput) (*eb.DescribeInstancesHealthOutput, error) {
	e, err := st.findEnv(in.EnvironmentName, in.EnvironmentId)
	if err != nil {
		return nil, err
	}
	if !e.enhanced {
		return nil, &APIError{Code: "InvalidRequestException", Message: "Enhanced health reporting is not enabled for environment " + e.name + "."}
	}
	out := &eb.DescribeInstancesHealthOutput{InstanceHealthList: []types.SingleInstanceHealth{}, RefreshedAt: aws.Time(c.now)}
	for _, id := range e.instances {
		h := types.SingleInstanceHealth{InstanceId: aws.String(id), Color: aws.String(string(e.health)), HealthStatus: aws.String(string(e.healthStatus)),
			LaunchedAt: aws.Time(e.created)}
		if e.outcome.FailLaunch {
			// The instance knows before the environment does.
			h.Color, h.HealthStatus = aws.String(string(types.EnvironmentHealthRed)), aws.String(string(types.EnvironmentHealthStatusSevere))
			h.Causes = []string{
				fmt.Sprintf("Application deployment failed at %s with exit status 1 and error: Engine execution has encountered an error.", e.updated.UTC().Format(time.RFC3339)),
			}
		} else if e.degraded {
			h.Causes = []string{degradedCause}
		}
		out.InstanceHealthList = append(out.InstanceHealthList, h)
	}
	return out, nil
}
