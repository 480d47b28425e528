package main

import "github.com/beanswap/beanswap"

// reportFields is a deploy report as JSON result fields.
func reportFields(r *beanswap.Report) map[string]any {
	if r == nil {
		return nil
	}
	m := map[string]any{
		"service": r.Service, "image": r.Image, "version": r.Version,
		"live": r.Live, "live_cname": r.LiveCNAME, "took_seconds": r.Took.Seconds(),
	}
	if d := r.Deployment; d != nil {
		m["environment"], m["first_deploy"], m["already_live"] = d.Name(), d.FirstDeploy, d.AlreadyLive && !d.Unverified
	}
	if r.Swap != nil {
		m["previous"] = r.Swap.Previous
	}
	if r.Left != "" {
		m["left"] = r.Left
	}
	if r.Staged != "" {
		m["staged"], m["staged_url"] = r.Staged, r.StagedURL
	}
	if r.Promoted {
		m["promoted"] = true
	}
	if r.Diagnostics != nil {
		m["diagnostics"] = r.Diagnostics
	}
	if r.Pruned != nil {
		m["terminated"], m["deleted_versions"] = r.Pruned.Terminated, r.Pruned.Deleted
	}
	return m
}
