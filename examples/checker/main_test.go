package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCustomCheckerRefusesABrokenBuild(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	assert.Contains(t, out.String(), "1.0 live on shop.us-east-1.elasticbeanstalk.com")
	assert.Contains(t, out.String(), `serves version "0.0.0-dev"`)
	assert.Regexp(t, `live traffic stays on shop-1-0-\w+`, out.String())
}
