package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedDeployOnSimulator(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), false, "public.ecr.aws/nginx/nginx:1.27", &out))
	assert.Contains(t, out.String(), "acceptance    done")
	assert.Contains(t, out.String(), "is live on embedded.us-east-1.elasticbeanstalk.com, running 1.27-")
}
