package beanstalk

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// planVersions decides which application versions go: never one an
// environment that stays runs (whatever its role), then all unused ones
// beyond the newest Retention.Versions(), and at least makeRoom of them
// when the version quota needs room.
func (p Pruner) planVersions(ctx context.Context, spec Spec, plan *PrunePlan, inv *Inventory, makeRoom int) error {
	inUse := map[string]string{}
	doomed := map[string]bool{}
	for _, d := range plan.Terminate {
		doomed[d.Name] = true // terminated before any version is deleted
	}
	for _, mem := range inv.Members() { // whatever their roles, staged ones too
		if !doomed[mem.Name()] {
			inUse[mem.Version] = mem.Name()
		}
	}
	versions, err := p.Monitor.versions(ctx, p.EB, spec.Application)
	if err != nil {
		return fmt.Errorf("prune: %w", err)
	}
	sort.SliceStable(versions, func(i, j int) bool {
		return aws.ToTime(versions[i].DateCreated).After(aws.ToTime(versions[j].DateCreated))
	})
	var unused []types.ApplicationVersionDescription
	for _, v := range versions {
		label := aws.ToString(v.VersionLabel)
		if inUse[label] != "" {
			plan.KeepVersions = append(plan.KeepVersions, Decision{label, "deployed to " + inUse[label]})
			continue
		}
		unused = append(unused, v)
		if b := v.SourceBundle; b != nil {
			plan.bundles[label] = "s3://" + aws.ToString(b.S3Bucket) + "/" + aws.ToString(b.S3Key)
		}
	}
	// Unused versions, newest first: keep keep_versions of them, unless
	// the quota needs room.
	keepVersions := spec.Retention.Versions()
	keep := min(keepVersions, max(0, len(unused)-makeRoom))
	var deletions []Decision
	for i, v := range unused {
		label := aws.ToString(v.VersionLabel)
		switch {
		case i < keep:
			plan.KeepVersions = append(plan.KeepVersions, Decision{label, "among the newest keep_versions"})
		case i < keepVersions:
			deletions = append(deletions, Decision{label, "unused; deleted to make room under the version quota"})
		default:
			deletions = append(deletions, Decision{label, "unused, older than the newest " + fmt.Sprint(keepVersions)})
		}
	}
	// Oldest first: if the run stops halfway, the newest remain.
	for i := len(deletions) - 1; i >= 0; i-- {
		plan.DeleteVersions = append(plan.DeleteVersions, deletions[i])
	}
	return nil
}
