package beanswap

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/beanswap/beanswap/beanstalk"
)

// LogsRequest says whose logs, and which.
type LogsRequest struct {
	// Role picks the environment: beanstalk.RoleLive (the default),
	// RolePrevious (the rollback target) or RoleCandidate (the newest
	// staged or never-live environment).
	Role beanstalk.Role
	// Environment names the environment instead of Role.
	Environment string
	// Bundle asks for every log of each instance, zipped, instead of the
	// last lines of each.
	Bundle bool
}

// Logs are an environment's logs, one entry per instance.
type Logs struct {
	Environment string
	Role        beanstalk.Role
	Bundle      bool
	Instances   []beanstalk.InstanceLogs
}

// Logs fetches the logs of one of the service's environments, as
// Beanstalk compiles them (a tail of each log, or a bundle of them all),
// the way `eb logs` does. Known secrets are scrubbed from a tail.
func (s *Service) Logs(ctx context.Context, req LogsRequest) (*Logs, error) {
	if err := s.check(false); err != nil {
		return nil, err
	}
	rt, scrub := s.runtime()
	inv, err := rt.Monitor.Inventory(ctx, s.Clients.Beanstalk, s.Config.Name, s.Config.Application, s.Config.Spec().Live, s.records())
	if err != nil {
		return nil, scrub.Error(fmt.Errorf("logs: %w", err))
	}
	target, err := logsTarget(inv, req)
	if err != nil {
		return nil, fmt.Errorf("logs: %w", err)
	}
	o := beanstalk.LogOptions{Kind: beanstalk.LogTail, Client: s.HTTPClient}
	if req.Bundle {
		o.Kind = beanstalk.LogBundle
	}
	rt.Info("logs", fmt.Sprintf("asking the instances of %s (%s) for their logs", target.Name(), target.Role))
	instances, err := rt.Monitor.Logs(ctx, s.Clients.Beanstalk, s.Config.Application, target.Name(), o)
	if err != nil {
		return nil, scrub.Error(err)
	}
	if !req.Bundle {
		for i := range instances {
			instances[i].Body = []byte(scrub.String(string(instances[i].Body)))
		}
	}
	return &Logs{Environment: target.Name(), Role: target.Role, Bundle: req.Bundle, Instances: instances}, nil
}

// logsTarget picks the environment of req.
func logsTarget(inv *beanstalk.Inventory, req LogsRequest) (beanstalk.Member, error) {
	if req.Environment != "" {
		if m, ok := inv.Find(req.Environment); ok {
			return m, nil
		}
		return beanstalk.Member{}, fmt.Errorf("%w: %s is no active environment of %s", ErrNoSuchEnvironment, req.Environment, inv.Application)
	}
	switch req.Role {
	case beanstalk.RoleLive, "":
		if inv.Live == nil {
			return beanstalk.Member{}, fmt.Errorf("no live environment (%s)", inv.LiveHow)
		}
		return *inv.Live, nil
	case beanstalk.RolePrevious:
		if len(inv.Previous) == 0 {
			return beanstalk.Member{}, ErrNoRollbackTarget
		}
		return inv.Previous[0], nil
	case beanstalk.RoleCandidate, beanstalk.RoleStaged:
		all := append(slices.Clone(inv.Staged), inv.Candidates...)
		if len(all) == 0 {
			return beanstalk.Member{}, fmt.Errorf("%w: no candidate environment", ErrNoSuchEnvironment)
		}
		slices.SortFunc(all, func(a, b beanstalk.Member) int {
			return aws.ToTime(b.Environment.DateCreated).Compare(aws.ToTime(a.Environment.DateCreated))
		})
		return all[0], nil
	}
	return beanstalk.Member{}, fmt.Errorf("role %q: want live, previous or candidate", req.Role)
}
