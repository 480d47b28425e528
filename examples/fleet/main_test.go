package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFleetSharesOneBudget(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, 4))
	assert.Contains(t, out.String(), "4 services deployed twice")
	assert.Contains(t, out.String(), "0 failed; 0 calls throttled")
}
