package beanstalktest

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"go.yaml.in/yaml/v3"
)

// maxBundle bounds how much of a source bundle the simulator reads.
const maxBundle = 64 << 20

// inspectBundle checks a version's source bundle the way the Docker
// platform's deployment does, for environment e, and returns why it would
// fail ("" if it would not): a .ebextensions config that is not YAML, no
// Dockerrun.aws.json nor docker-compose.yml nor Dockerfile, a Dockerrun of
// the wrong version, an auth file that is missing or not JSON, an image
// (or a compose file's, with ${VAR} from e's properties) that cannot be
// pulled.
func (st *state) inspectBundle(v *appVersion, e *environment) string {
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
	files := map[string][]byte{}
	for _, f := range zr.File {
		switch {
		case f.Name == "Dockerrun.aws.json", f.Name == "docker-compose.yml", f.Name == "Dockerfile",
			strings.HasPrefix(f.Name, ".ebextensions/") && strings.HasSuffix(f.Name, ".config"):
			rc, err := f.Open()
			if err != nil {
				return "Instance deployment failed to read " + f.Name + ": " + err.Error()
			}
			files[f.Name], err = io.ReadAll(io.LimitReader(rc, 1<<20))
			rc.Close()
			if err != nil {
				return "Instance deployment failed to read " + f.Name + ": " + err.Error()
			}
		}
	}
	for name, body := range files {
		if strings.HasPrefix(name, ".ebextensions/") {
			var doc any
			if err := yaml.Unmarshal(body, &doc); err != nil {
				return fmt.Sprintf("The configuration file %s in application version %s contains invalid YAML or JSON. YAML exception: %v. Update the configuration file.", name, v.label, err)
			}
		}
	}
	dockerrun, hasDockerrun := files["Dockerrun.aws.json"]
	compose, hasCompose := files["docker-compose.yml"]
	_, hasDockerfile := files["Dockerfile"]
	if !hasDockerrun && !hasCompose {
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
	if hasDockerrun {
		if err := json.Unmarshal(dockerrun, &d); err != nil {
			return "Instance deployment failed to parse Dockerrun.aws.json: " + err.Error()
		}
	}
	version := strings.Trim(string(d.AWSEBDockerrunVersion), `"`)
	switch {
	case hasCompose && hasDockerrun && version != "3":
		return "Instance deployment: 'Dockerrun.aws.json' beside 'docker-compose.yml' must be version 3. The deployment failed."
	case !hasCompose && version != "1":
		return "Instance deployment: 'Dockerrun.aws.json' in your source bundle specifies an unsupported version. Elastic Beanstalk only supports version 1 for Docker environments."
	case !hasCompose && d.Image.Name == "":
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
	if !hasCompose {
		return st.pullFailure(d.Image.Name, auth)
	}
	images, reason := composeImages(compose, e)
	if reason != "" {
		return reason
	}
	for _, img := range images {
		if reason := st.pullFailure(img, auth); reason != "" {
			return reason
		}
	}
	return ""
}

// composeImages lists a docker-compose.yml's images, with ${VAR} taken
// from the environment's properties as the platform's .env file gives
// them to Compose.
func composeImages(body []byte, e *environment) ([]string, string) {
	var doc struct {
		Services map[string]struct {
			Image string `yaml:"image"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(body, &doc); err != nil || len(doc.Services) == 0 {
		return nil, "Instance deployment: docker-compose.yml is not a valid Compose file. The deployment failed."
	}
	vars := map[string]string{}
	for _, o := range e.options {
		if aws.ToString(o.Namespace) == nsEnvVars {
			vars[aws.ToString(o.OptionName)] = aws.ToString(o.Value)
		}
	}
	var images []string
	for name, s := range doc.Services {
		img := os.Expand(s.Image, func(k string) string { return vars[k] })
		if img == "" {
			return nil, fmt.Sprintf("Instance deployment: service %q in docker-compose.yml has no image (variables come from the environment properties). The deployment failed.", name)
		}
		images = append(images, img)
	}
	sort.Strings(images)
	return images, ""
}

func (st *state) readObject(bucket, key string) ([]byte, error) {
	obj, err := st.objects.GetObject(bucket, key, nil)
	if err != nil {
		return nil, err
	}
	defer obj.Contents.Close()
	return io.ReadAll(io.LimitReader(obj.Contents, maxBundle))
}
