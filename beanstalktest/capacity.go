package beanstalktest

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	as "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// Capacity: a load-balanced environment's instances live in an Auto
// Scaling group bounded by aws:autoscaling:asg MinSize and MaxSize
// (defaults 1 and 4). The group starts at MinSize; SetCapacity plays its
// scaling policy; raising MinSize raises the group to it, lowering it
// leaves the instances to the scaling policy, as on AWS. The group is
// read with Beanstalk's DescribeEnvironmentResources and Auto Scaling's
// DescribeAutoScalingGroups.

// bounds are the environment's Auto Scaling bounds from its options.
func (e *environment) bounds() (lo, hi int) {
	if e.singleInstance {
		return 1, 1
	}
	lo, hi = 1, 4
	if v, ok := optionValue(e.options, nsASG, "MinSize"); ok {
		lo, _ = strconv.Atoi(v)
	}
	if v, ok := optionValue(e.options, nsASG, "MaxSize"); ok {
		hi, _ = strconv.Atoi(v)
	}
	return lo, hi
}

// scaleTo sets the group's size to n, within its bounds, launching or
// terminating instances with the events Beanstalk emits.
func (st *state) scaleTo(at time.Time, e *environment, n int) {
	lo, hi := e.bounds()
	n = min(max(n, lo), hi)
	for len(e.instances) < n {
		id := "i-0" + st.randomID(16)
		e.instances = append(e.instances, id)
		if e.status == types.EnvironmentStatusReady || e.status == types.EnvironmentStatusUpdating {
			st.emit(at, e, types.EventSeverityInfo, "Added instance [%s] to your environment.", id)
		}
	}
	for len(e.instances) > n {
		id := e.instances[len(e.instances)-1]
		e.instances = e.instances[:len(e.instances)-1]
		st.emit(at, e, types.EventSeverityInfo, "Removed instance [%s] from your environment.", id)
	}
}

// SetCapacity makes the Auto Scaling group of environment name run n
// instances in service (within its MinSize and MaxSize), as its scaling
// policy would under load. It returns the size the group took.
func (s *Server) SetCapacity(name string, n int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.advance(s.clock.Now())
	e := s.st.liveEnv(name)
	if e == nil || e.asg == "" {
		return 0, fmt.Errorf("beanstalktest: environment %s has no Auto Scaling group", name)
	}
	s.st.scaleTo(s.clock.Now(), e, n)
	return len(e.instances), nil
}

func (st *state) describeEnvironmentResources(c call, in *eb.DescribeEnvironmentResourcesInput) (*eb.DescribeEnvironmentResourcesOutput, error) {
	e, err := st.findEnv(in.EnvironmentName, in.EnvironmentId)
	if err != nil {
		return nil, err
	}
	res := &types.EnvironmentResourceDescription{
		EnvironmentName:      aws.String(e.name),
		AutoScalingGroups:    []types.AutoScalingGroup{},
		Instances:            []types.Instance{},
		LaunchConfigurations: []types.LaunchConfiguration{},
		LaunchTemplates:      []types.LaunchTemplate{},
		LoadBalancers:        []types.LoadBalancer{},
		Queues:               []types.Queue{},
		Triggers:             []types.Trigger{},
	}
	if e.asg != "" {
		res.AutoScalingGroups = append(res.AutoScalingGroups, types.AutoScalingGroup{Name: aws.String(e.asg)})
		res.LaunchTemplates = append(res.LaunchTemplates, types.LaunchTemplate{Id: aws.String("lt-0" + e.id[2:])})
	}
	for _, id := range e.instances {
		res.Instances = append(res.Instances, types.Instance{Id: aws.String(id)})
	}
	if !e.singleInstance && e.asg != "" {
		res.LoadBalancers = append(res.LoadBalancers, types.LoadBalancer{Name: aws.String(e.endpoint)})
	}
	return &eb.DescribeEnvironmentResourcesOutput{EnvironmentResources: res}, nil
}

const autoScalingNamespace = "http://autoscaling.amazonaws.com/doc/2011-01-01/"

// serveAutoScaling answers Auto Scaling's DescribeAutoScalingGroups for
// the groups of the simulated environments.
func (s *Server) serveAutoScaling(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	_ = r.ParseForm()
	action := r.PostForm.Get("Action")
	if action != "DescribeAutoScalingGroups" {
		writeErrorNS(w, autoScalingNamespace, &APIError{Code: CodeInvalidAction, Message: fmt.Sprintf("the simulator's Auto Scaling only answers DescribeAutoScalingGroups, not %q", action)}, requestID)
		return
	}
	in := new(as.DescribeAutoScalingGroupsInput)
	if err := decodeQuery(r.PostForm, in); err != nil {
		writeErrorNS(w, autoScalingNamespace, invalidParam("%v", err), requestID)
		return
	}
	s.mu.Lock()
	s.calls[action]++
	now := s.clock.Now()
	s.st.advance(now)
	out, err := s.st.describeAutoScalingGroups(in)
	s.mu.Unlock()
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		writeErrorNS(w, autoScalingNamespace, apiErr, requestID)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write(encodeResponseNS(autoScalingNamespace, action, out, requestID))
}

func (st *state) describeAutoScalingGroups(in *as.DescribeAutoScalingGroupsInput) (*as.DescribeAutoScalingGroupsOutput, error) {
	var groups []astypes.AutoScalingGroup
	for _, e := range st.envs {
		if e.asg == "" || e.status == types.EnvironmentStatusTerminated {
			continue
		}
		if len(in.AutoScalingGroupNames) > 0 && !slices.Contains(in.AutoScalingGroupNames, e.asg) {
			continue
		}
		groups = append(groups, st.group(e))
	}
	items, next, err := page(groups, in.MaxRecords, in.NextToken, 100)
	if err != nil {
		return nil, err
	}
	return &as.DescribeAutoScalingGroupsOutput{AutoScalingGroups: items, NextToken: next}, nil
}

func (st *state) group(e *environment) astypes.AutoScalingGroup {
	lo, hi := e.bounds()
	g := astypes.AutoScalingGroup{
		AutoScalingGroupName:             aws.String(e.asg),
		AutoScalingGroupARN:              aws.String(fmt.Sprintf("arn:aws:autoscaling:%s:%s:autoScalingGroup:%s:autoScalingGroupName/%s", st.region, st.account, e.id, e.asg)),
		MinSize:                          aws.Int32(int32(lo)),
		MaxSize:                          aws.Int32(int32(hi)),
		DesiredCapacity:                  aws.Int32(int32(len(e.instances))),
		DefaultCooldown:                  aws.Int32(360),
		AvailabilityZones:                []string{st.region + "a", st.region + "b"},
		HealthCheckType:                  aws.String("EC2"),
		HealthCheckGracePeriod:           aws.Int32(0),
		CreatedTime:                      aws.Time(e.created),
		NewInstancesProtectedFromScaleIn: aws.Bool(false),
		Tags: []astypes.TagDescription{
			{Key: aws.String("elasticbeanstalk:environment-name"), Value: aws.String(e.name), ResourceId: aws.String(e.asg), ResourceType: aws.String("auto-scaling-group"), PropagateAtLaunch: aws.Bool(true)},
			{Key: aws.String("elasticbeanstalk:environment-id"), Value: aws.String(e.id), ResourceId: aws.String(e.asg), ResourceType: aws.String("auto-scaling-group"), PropagateAtLaunch: aws.Bool(true)},
		},
	}
	for i, id := range e.instances {
		g.Instances = append(g.Instances, astypes.Instance{
			InstanceId:           aws.String(id),
			AvailabilityZone:     aws.String(g.AvailabilityZones[i%2]),
			LifecycleState:       astypes.LifecycleStateInService,
			HealthStatus:         aws.String("Healthy"),
			InstanceType:         aws.String("t3.micro"),
			ProtectedFromScaleIn: aws.Bool(false),
		})
	}
	return g
}
