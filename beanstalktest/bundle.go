package beanstalktest

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// maxBundle bounds how much of a source bundle the simulator reads.
const maxBundle = 64 << 20

// inspectBundle checks a version's source bundle the way the Docker
// platform's deployment does, and returns why it would fail ("" if it
// would not): no Dockerrun.aws.json nor Dockerfile, a Dockerrun that does
// not parse or is not version 1, or an auth file that is missing or not
// JSON.
func (st *state) inspectBundle(v *appVersion) string {
	if v.bucket == "" {
		return "" // the sample application
	}
	body, err := st.readObject(v.bucket, v.key)
	if err != nil {
		return fmt.Sprintf("Instance deployment failed to download the source bundle s3://%s/%s: %v", v.bucket, v.key, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return "Instance deployment failed: the source bundle is not a valid zip archive."
	}
	var dockerrun []byte
	hasDockerfile := false
	for _, f := range zr.File {
		switch f.Name {
		case "Dockerrun.aws.json":
			rc, err := f.Open()
			if err != nil {
				return "Instance deployment failed to read Dockerrun.aws.json: " + err.Error()
			}
			dockerrun, err = io.ReadAll(io.LimitReader(rc, 1<<20))
			rc.Close()
			if err != nil {
				return "Instance deployment failed to read Dockerrun.aws.json: " + err.Error()
			}
		case "Dockerfile", "docker-compose.yml":
			hasDockerfile = true
		}
	}
	if dockerrun == nil {
		if hasDockerfile {
			return ""
		}
		return "Instance deployment: Both 'Dockerfile' and 'Dockerrun.aws.json' are missing in your source bundle. Include at least one of them. The deployment failed."
	}
	var d struct {
		AWSEBDockerrunVersion json.RawMessage
		Image                 struct{ Name string }
		Ports                 []struct{ ContainerPort json.RawMessage }
		Authentication        *struct{ Bucket, Key string }
	}
	if err := json.Unmarshal(dockerrun, &d); err != nil {
		return "Instance deployment failed to parse Dockerrun.aws.json: " + err.Error()
	}
	if v := string(d.AWSEBDockerrunVersion); v != `"1"` && v != "1" {
		return "Instance deployment: 'Dockerrun.aws.json' in your source bundle specifies an unsupported version. Elastic Beanstalk only supports version 1 for Docker environments."
	}
	if d.Image.Name == "" {
		return "Instance deployment: 'Dockerrun.aws.json' has no Image.Name. The deployment failed."
	}
	var auth []byte
	if d.Authentication != nil {
		a := d.Authentication
		var err error
		if auth, err = st.readObject(a.Bucket, a.Key); err != nil {
			return fmt.Sprintf("Instance deployment failed to download the Docker image authentication file (Bucket: %s, Key: %s). The deployment failed.", a.Bucket, a.Key)
		}
		if !json.Valid(auth) {
			return fmt.Sprintf("Instance deployment: the Docker authentication file s3://%s/%s is not valid JSON. The deployment failed.", a.Bucket, a.Key)
		}
	}
	return st.pullFailure(d.Image.Name, auth)
}

func (st *state) readObject(bucket, key string) ([]byte, error) {
	obj, err := st.objects.GetObject(bucket, key, nil)
	if err != nil {
		return nil, err
	}
	defer obj.Contents.Close()
	return io.ReadAll(io.LimitReader(obj.Contents, maxBundle))
}
