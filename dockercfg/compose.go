package dockercfg

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ImageVariable is the container environment variable holding the image
// being deployed; a docker-compose.yml names it as ${BEANSWAP_IMAGE}, which
// the Docker platform substitutes from the environment's properties.
const ImageVariable = "BEANSWAP_IMAGE"

// Compose is what beanswap reads of a docker-compose.yml.
type Compose struct {
	// Images are the services' images, by service name, as written
	// (variables unexpanded).
	Images map[string]string
}

// maxCompose bounds a docker-compose.yml.
const maxCompose = 1 << 20

// ParseCompose reads a docker-compose.yml (file names it in errors): it
// must define services, each with an image (the bundle holds no sources
// to build from), and one of them must run the image being deployed,
// named ${BEANSWAP_IMAGE}.
func ParseCompose(file string, body []byte) (*Compose, error) {
	if len(body) > maxCompose {
		return nil, fmt.Errorf("%s: more than %d KB", file, maxCompose>>10)
	}
	var doc struct {
		Services map[string]struct {
			Image string `yaml:"image"`
			Build any    `yaml:"build"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(doc.Services) == 0 {
		return nil, fmt.Errorf("%s: no services", file)
	}
	c := &Compose{Images: map[string]string{}}
	var errs []error
	deployed := false
	names := make([]string, 0, len(doc.Services))
	for n := range doc.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		s := doc.Services[name]
		switch {
		case s.Build != nil:
			errs = append(errs, fmt.Errorf("service %s: build is not supported: the bundle holds no sources; push an image and name it", name))
		case s.Image == "":
			errs = append(errs, fmt.Errorf("service %s: no image", name))
		}
		c.Images[name] = s.Image
		if s.Image == "${"+ImageVariable+"}" || s.Image == "$"+ImageVariable {
			deployed = true
		}
	}
	if !deployed {
		errs = append(errs, fmt.Errorf("no service runs the image being deployed: set image: ${%s} on the service that runs it", ImageVariable))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %w", file, errors.Join(errs...))
	}
	return c, nil
}

// Pinned returns the images written out in full (no variables), which
// can be checked before a deploy, sorted.
func (c *Compose) Pinned() []string {
	var out []string
	for _, img := range c.Images {
		if !strings.Contains(img, "$") {
			out = append(out, img)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}
