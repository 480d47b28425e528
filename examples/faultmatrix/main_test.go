package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestFaultMatrix runs every fault once (CI's bounded form of the matrix).
func TestFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline under every fault")
	}
	var out bytes.Buffer
	sum := run(context.Background(), &out, options{seeds: 1, firstSeed: 7, verbose: true})
	t.Log("\n" + out.String())
	assert.Equal(t, len(faults()), sum.runs)
	assert.Zero(t, sum.violations)
	assert.Zero(t, sum.orphans)
	assert.Zero(t, sum.leaks)
}
