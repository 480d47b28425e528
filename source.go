package beanswap

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/internal/safefile"
)

// source is what the service brings to its bundle besides the image:
// its .ebextensions/ and .platform/ (bundle_dir), and a docker-compose.yml
// (docker_compose).
type source struct {
	files   []dockercfg.BundleFile
	compose []byte
	pinned  []string // images the compose file names in full
}

// readSource reads the service's bundle files, before anything changes:
// a bad file fails the deploy in the preflight, not after a launch.
func (d *deploy) readSource() (source, error) {
	cfg := d.s.Config
	var src source
	if cfg.BundleDir != "" {
		files, err := dockercfg.ReadBundleDir(cfg.Path(cfg.BundleDir))
		if err != nil {
			return src, fmt.Errorf("bundle_dir: %w", err)
		}
		src.files = files
	}
	if cfg.DockerCompose != "" {
		path := cfg.Path(cfg.DockerCompose)
		body, err := safefile.Read(path, 1<<20)
		if err != nil {
			return src, fmt.Errorf("docker_compose: %w", err)
		}
		c, err := dockercfg.ParseCompose(path, body)
		if err != nil {
			return src, fmt.Errorf("docker_compose: %w", err)
		}
		src.compose, src.pinned = body, c.Pinned()
	}
	return src, nil
}

// describe says what the bundle holds besides the Dockerrun.
func (s source) describe() string {
	var parts []string
	if s.compose != nil {
		parts = append(parts, dockercfg.ComposeFile)
	}
	if n := len(s.files); n > 0 {
		parts = append(parts, fmt.Sprintf("%d files of .ebextensions/ and .platform/", n))
	}
	return strings.Join(parts, ", ")
}

// checkPinned checks that the compose file's other images can be pulled:
// with the auth file's credentials on the deployed image's registry,
// anonymously elsewhere (the auth file holds no other).
func (d *deploy) checkPinned(ctx context.Context, image string, auth dockercfg.Published) error {
	deployed, _ := dockercfg.ParseReference(image)
	for _, img := range d.src.pinned {
		ref, err := dockercfg.ParseReference(img)
		if err != nil {
			return fmt.Errorf("docker_compose: image %q: %w", img, err)
		}
		var creds *dockercfg.Credentials
		if ref.Registry == deployed.Registry && auth.Authentication != nil {
			creds = &auth.Credentials
		}
		err = dockercfg.CheckPull(ctx, img, creds, d.transport())
		switch {
		case errors.Is(err, dockercfg.ErrRegistryUnreachable):
			d.rt.Warn(StepPreflight, fmt.Sprintf("%v: the instances may still reach it; carrying on", err))
		case err != nil && creds == nil && ref.Registry != deployed.Registry:
			return fmt.Errorf("docker_compose: %w (the auth file only holds credentials for %s)", err, deployed.Registry)
		case err != nil:
			return fmt.Errorf("docker_compose: %w", err)
		default:
			d.rt.Info(StepPreflight, img+" (docker_compose) can be pulled")
		}
	}
	return nil
}
