package beanstalk

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckSecretRef(t *testing.T) {
	tests := map[string]bool{
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:hello/db-AbCdEf": true,
		"arn:aws:ssm:eu-west-1:123456789012:parameter/hello/prod/db":           true,
		"arn:aws-cn:ssm:cn-north-1:123456789012:parameter/x":                   true,
		"arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x":    true,
		"arn:aws:ssm:us-east-1:123456789012:parameter":                         false, // no name
		"arn:aws:ssm:us-east-1:12345:parameter/x":                              false, // short account
		"arn:aws:s3:::bucket/key":                                              false,
		"/hello/prod/db":                                                       false, // a name, not an ARN
		"hunter2":                                                              false,
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:x y":             false,
		"": false,
	}
	for arn, ok := range tests {
		err := CheckSecretRef(arn)
		if ok {
			assert.NoError(t, err, arn)
		} else {
			assert.ErrorContains(t, err, "expected a Secrets Manager secret ARN", arn)
		}
	}
}

func TestSecretRefsInSpec(t *testing.T) {
	spec := testSpec()
	spec.Environment.SecretRefs = map[string]string{"DB": "arn:aws:ssm:us-east-1:123456789012:parameter/db", "API": "arn:aws:secretsmanager:us-east-1:123456789012:secret:api"}
	require.NoError(t, spec.Validate())
	var refs []string
	for _, o := range spec.Environment.OptionSettings() {
		if o.Namespace == NamespaceSecretRefs {
			refs = append(refs, o.Name+"="+o.Value)
		}
		assert.False(t, o.Namespace == NamespaceEnvVars && (o.Name == "DB" || o.Name == "API"), "a reference is not a plain variable")
	}
	assert.Equal(t, []string{"API=arn:aws:secretsmanager:us-east-1:123456789012:secret:api", "DB=arn:aws:ssm:us-east-1:123456789012:parameter/db"}, refs, "sorted: the same spec gives the same options")

	spec.Environment.SecretRefs["9X"] = "arn:aws:ssm:us-east-1:123456789012:parameter/x"
	spec.Environment.SecretRefs["PLAIN"] = "s3cr3t"
	spec.Environment.Env = map[string]string{"DB": "localhost"}
	err := spec.Validate()
	assert.ErrorIs(t, err, ErrInvalidSpec)
	assert.ErrorContains(t, err, `"9X": expected an environment variable name`)
	assert.ErrorContains(t, err, "DB is also a plain or secret variable")
	assert.ErrorContains(t, err, "Spec.Environment.SecretRefs[PLAIN]: the value (not shown")
	assert.NotContains(t, err.Error(), "s3cr3t")
	_, err = Deployer{EB: newWorld().f, S3: &fakeS3{}}.Deploy(context.Background(), spec, rel)
	assert.ErrorIs(t, err, ErrInvalidSpec, "an embedder's Spec is checked as a config's")
}
