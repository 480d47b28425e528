package dockercfg

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DockerrunFile is the name Beanstalk looks for at the root of a bundle.
const DockerrunFile = "Dockerrun.aws.json"

// Dockerrun is a Dockerrun.aws.json file for the Docker platform:
// version 1 runs one container; version 3 goes beside a
// docker-compose.yml and only locates the registry auth file.
type Dockerrun struct {
	AWSEBDockerrunVersion string          `json:"AWSEBDockerrunVersion"`
	Authentication        *Authentication `json:"Authentication,omitempty"`
	Image                 DockerrunImage  `json:"Image"`
	Ports                 []DockerrunPort `json:"Ports"`
	Volumes               []Volume        `json:"Volumes,omitempty"`
	// Logging is a directory in the container whose logs Beanstalk collects.
	Logging    string `json:"Logging,omitempty"`
	Entrypoint string `json:"Entrypoint,omitempty"`
	Command    string `json:"Command,omitempty"`
}

// Authentication locates the registry auth file in S3; the bucket must be
// in the environment's region.
type Authentication struct {
	Bucket string `json:"Bucket"`
	Key    string `json:"Key"`
}

// DockerrunImage names the image; Update "true" pulls it on every deploy.
type DockerrunImage struct {
	Name   string `json:"Name"`
	Update string `json:"Update"`
}

// DockerrunPort exposes a container port; only the first gets the proxy.
type DockerrunPort struct {
	ContainerPort string `json:"ContainerPort"`
	HostPort      string `json:"HostPort,omitempty"`
}

// Volume maps a host directory into the container.
type Volume struct {
	HostDirectory      string `json:"HostDirectory"`
	ContainerDirectory string `json:"ContainerDirectory"`
}

// NewDockerrun returns the usual file: image pulled on every deploy, one
// container port, and the auth file location when auth is not nil.
func NewDockerrun(image string, containerPort int, auth *Authentication) Dockerrun {
	return Dockerrun{
		AWSEBDockerrunVersion: "1",
		Authentication:        auth,
		Image:                 DockerrunImage{Name: image, Update: "true"},
		Ports:                 []DockerrunPort{{ContainerPort: strconv.Itoa(containerPort)}},
	}
}

// NewDockerrunV3 returns the Dockerrun.aws.json that goes beside a
// docker-compose.yml whose images need the registry auth file at auth.
func NewDockerrunV3(auth Authentication) Dockerrun {
	return Dockerrun{AWSEBDockerrunVersion: "3", Authentication: &auth}
}

// Validate checks what Beanstalk would reject only after launching.
func (d Dockerrun) Validate() error {
	if d.AWSEBDockerrunVersion == "3" {
		return d.validateV3()
	}
	var errs []error
	if d.AWSEBDockerrunVersion != "1" {
		errs = append(errs, fmt.Errorf("AWSEBDockerrunVersion %q: only versions 1 (single container) and 3 (beside %s) are supported", d.AWSEBDockerrunVersion, ComposeFile))
	}
	if _, err := ParseReference(d.Image.Name); err != nil {
		errs = append(errs, fmt.Errorf("Image.Name: %w", err))
	}
	if u := d.Image.Update; u != "" && u != "true" && u != "false" {
		errs = append(errs, fmt.Errorf("Image.Update %q: want \"true\" or \"false\"", u))
	}
	if len(d.Ports) == 0 {
		//lint:ignore ST1005 it starts with the Dockerrun.aws.json key it names, spelt as in the file
		errs = append(errs, errors.New("Ports: at least one container port is required with Image"))
	}
	for i, p := range d.Ports {
		if !validPort(p.ContainerPort) {
			errs = append(errs, fmt.Errorf("Ports[%d].ContainerPort %q: want a port between 1 and 65535", i, p.ContainerPort))
		}
		if p.HostPort != "" && !validPort(p.HostPort) {
			errs = append(errs, fmt.Errorf("Ports[%d].HostPort %q: want a port between 1 and 65535", i, p.HostPort))
		}
	}
	if a := d.Authentication; a != nil && (a.Bucket == "" || a.Key == "") {
		errs = append(errs, errors.New("Authentication: Bucket and Key are both required"))
	}
	for i, v := range d.Volumes {
		if !strings.HasPrefix(v.HostDirectory, "/") || !strings.HasPrefix(v.ContainerDirectory, "/") {
			//lint:ignore ST1005 it starts with the Dockerrun.aws.json key it names, spelt as in the file
			errs = append(errs, fmt.Errorf("Volumes[%d]: HostDirectory and ContainerDirectory must be absolute paths", i))
		}
	}
	if d.Logging != "" && !strings.HasPrefix(d.Logging, "/") {
		//lint:ignore ST1005 it starts with the Dockerrun.aws.json key it names, spelt as in the file
		errs = append(errs, fmt.Errorf("Logging %q: must be an absolute directory in the container", d.Logging))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid %s: %w", DockerrunFile, errors.Join(errs...))
	}
	return nil
}

func (d Dockerrun) validateV3() error {
	var errs []error
	if a := d.Authentication; a == nil || a.Bucket == "" || a.Key == "" {
		errs = append(errs, errors.New("Authentication: bucket and key are required (version 3 only locates the auth file)"))
	}
	if d.Image != (DockerrunImage{}) || len(d.Ports) > 0 || len(d.Volumes) > 0 || d.Logging != "" || d.Entrypoint != "" || d.Command != "" {
		errs = append(errs, fmt.Errorf("version 3 holds only Authentication: images, ports and volumes belong in %s", ComposeFile))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid %s: %w", DockerrunFile, errors.Join(errs...))
	}
	return nil
}

// Marshal validates d and renders it, indented, with a final newline.
func (d Dockerrun) Marshal() ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var v any = d
	if d.AWSEBDockerrunVersion == "3" {
		// AWS documents version 3's keys in lower case.
		type location struct {
			Bucket string `json:"bucket"`
			Key    string `json:"key"`
		}
		v = struct {
			Version        string   `json:"AWSEBDockerrunVersion"`
			Authentication location `json:"Authentication"`
		}{"3", location{d.Authentication.Bucket, d.Authentication.Key}}
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", DockerrunFile, err)
	}
	return append(out, '\n'), nil
}

func validPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535
}
