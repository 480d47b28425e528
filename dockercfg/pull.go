package dockercfg

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

var (
	// ErrImageNotFound: the registry has no such image (tag or digest).
	ErrImageNotFound = errors.New("image not found in its registry")
	// ErrPullDenied: the registry refuses the credentials (or their
	// absence) to pull the image.
	ErrPullDenied = errors.New("registry refuses to let these credentials pull the image")
	// ErrRegistryUnreachable: the registry could not be asked from here
	// (the instances may still reach it); not a verdict on the image.
	ErrRegistryUnreachable = errors.New("registry unreachable")
)

// CheckPull asks image's registry whether creds (nil: anonymously) may
// pull it — a manifest HEAD, as the instances' docker pull starts —
// within seconds, instead of a launch failing after ten minutes. Errors
// wrap ErrImageNotFound, ErrPullDenied or ErrRegistryUnreachable, and
// never quote a credential. rt carries the requests; nil is
// http.DefaultTransport.
func CheckPull(ctx context.Context, image string, creds *Credentials, rt http.RoundTripper) error {
	ref, err := name.ParseReference(image)
	if err != nil {
		return fmt.Errorf("check %s: %w: %v", image, ErrInvalidReference, err)
	}
	auth := authn.Anonymous
	if creds != nil {
		switch {
		case !creds.IdentityToken.IsZero():
			auth = authn.FromConfig(authn.AuthConfig{IdentityToken: creds.IdentityToken.Reveal()})
		case creds.Username != "":
			auth = &authn.Basic{Username: creds.Username, Password: creds.Password.Reveal()}
		}
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	_, err = remote.Head(ref, remote.WithAuth(auth), remote.WithTransport(rt), remote.WithContext(ctx))
	if err == nil {
		return nil
	}
	var terr *transport.Error
	if errors.As(err, &terr) {
		switch {
		case terr.StatusCode == http.StatusNotFound:
			return fmt.Errorf("check %s: %w (%s)", image, ErrImageNotFound, ref.Context().RegistryStr())
		case terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden:
			who := "anonymously"
			if creds != nil {
				who = "with the credentials from " + creds.Source
			}
			return fmt.Errorf("check %s %s: %w (HTTP %d)", image, who, ErrPullDenied, terr.StatusCode)
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("check %s: %w", image, ctx.Err())
	}
	return fmt.Errorf("check %s: %w: %v", image, ErrRegistryUnreachable, err)
}
