package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemoDeploysTwoVersions(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, false, false, 1200))
	s := out.String()
	assert.Contains(t, s, "deployed hello 1.0.0-")
	assert.Regexp(t, `deployed hello 1.1.0-\w+ in`, s)
	assert.Regexp(t, `previous: hello-1-0-0-\w+ \(kept for rollback\)`, s)
	assert.Regexp(t, `"version":"1.1.0-\w+"`, s, "the live URL serves the new version")
	assert.Regexp(t, `LIVE\s+hello-1-1-0-\w+\s+(Ready|Updating)\s+Green`, s)
	assert.NotContains(t, s, "demo-secret-value")
	assert.Regexp(t, `lowering its MinSize from 3 back to 1`, s, "capacity parity, then the configured minimum")
}

func TestDemoJSON(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, true, false, 1200))
	results := 0
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		if m["type"] == "result" {
			results++
		}
	}
	assert.Equal(t, 2, results)
}
