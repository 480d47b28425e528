package beanswap

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/progress"
)

type failingSTS struct{}

func (failingSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return nil, errors.New("ExpiredToken: the security token included in the request is expired")
}

// TestRegistryAuthStep: what the auth step writes to S3, and what the
// deployed Dockerrun.aws.json says, for each kind of image.
func TestRegistryAuthStep(t *testing.T) {
	tests := map[string]struct {
		image   string
		edit    func(*config.Config)
		sts     CallerIdentityAPI
		auth    bool   // an auth file is written and referenced
		skipped string // why not, as the report says
		err     string
	}{
		"private registry": {image: "registry.example.com/team/hello:1.0.0", auth: true},
		"Amazon ECR":       {image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:1.0.0", skipped: "instance profile"},
		"public image":     {image: "public.example.com/team/hello:1.0.0", edit: func(c *config.Config) { c.DockerAuthFormat = config.AuthFormatNone }, skipped: "public image"},
		"account unknown":  {image: "registry.example.com/team/hello:1.0.0", sts: failingSTS{}, err: "find the deploying account (set docker_bucket_owner to skip): ExpiredToken"},
		"account configured": {image: "registry.example.com/team/hello:1.0.0", sts: failingSTS{}, auth: true,
			edit: func(c *config.Config) { c.DockerBucketOwner = "123456789012" }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, tc.edit)
			p := h.pipeline(tc.image)
			if tc.sts != nil {
				p.Clients.STS = tc.sts
			}
			report, err := p.Run(context.Background())
			s3c := s3.NewFromConfig(h.sim.Config())
			_, headErr := s3c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("hello-docker"), Key: aws.String("docker/dockercfg")})
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				assert.Error(t, headErr, "nothing written")
				assert.Zero(t, h.sim.CallCount("CreateEnvironment"), "nothing created on Beanstalk")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.auth, headErr == nil, "auth file written: %v", headErr)
			skipped := ""
			for _, e := range h.rec.Events() {
				if f, ok := e.(progress.StepFinished); ok && f.Step == StepAuth {
					skipped = f.Skipped
				}
			}
			if tc.auth {
				assert.Empty(t, skipped)
			} else {
				assert.Contains(t, skipped, tc.skipped)
			}

			// The deployed bundle references the auth file, or not.
			obj, err := s3c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("hello-docker"), Key: aws.String("beanswap/bundles/hello/" + report.Version + ".zip")})
			require.NoError(t, err)
			body, err := io.ReadAll(obj.Body)
			require.NoError(t, err)
			zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
			require.NoError(t, err)
			f, err := zr.Open("Dockerrun.aws.json")
			require.NoError(t, err)
			var run struct {
				Image          struct{ Name string }
				Authentication *struct{ Bucket, Key string }
			}
			require.NoError(t, json.NewDecoder(f).Decode(&run))
			assert.Equal(t, tc.image, run.Image.Name)
			if tc.auth {
				require.NotNil(t, run.Authentication)
				assert.Equal(t, "hello-docker", run.Authentication.Bucket)
				assert.Equal(t, "docker/dockercfg", run.Authentication.Key)
			} else {
				assert.Nil(t, run.Authentication)
			}
		})
	}
}
