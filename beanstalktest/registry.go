package beanstalktest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// The simulator serves container registries too (go-containerregistry's
// in-memory registry), one per registry host a test names: images pushed
// there exist, others do not, and a launch whose image is missing — or
// whose auth file does not hold the credentials the registry requires —
// fails as it would on AWS ("manifest unknown", "no basic auth
// credentials"). Registries of hosts nobody named are not simulated.

// simRegistry is one registry host.
type simRegistry struct {
	handler    http.Handler
	user, pass string // required credentials; "" for none
}

// Registry makes the simulator serve a registry for host (host[:port],
// as image references name it), empty, until the Server closes.
func (s *Server) Registry(host string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.registry(host)
}

func (s *Server) registry(host string) *simRegistry {
	host = strings.ToLower(host)
	if s.st.registries == nil {
		s.st.registries = map[string]*simRegistry{}
	}
	r, ok := s.st.registries[host]
	if !ok {
		r = &simRegistry{handler: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}
		s.st.registries[host] = r
	}
	return r
}

// RequireRegistryAuth makes host's registry answer only requests carrying
// user and password (HTTP Basic), as a private registry does.
func (s *Server) RequireRegistryAuth(host, user, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.registry(host)
	r.user, r.pass = user, password
}

// PushImage pushes a small random image under image's reference to the
// simulated registry of its host (made when needed), as "docker push"
// would.
func (s *Server) PushImage(ctx context.Context, image string) error {
	ref, err := name.ParseReference(image)
	if err != nil {
		return err
	}
	s.mu.Lock()
	r := s.registry(ref.Context().RegistryStr())
	user, pass := r.user, r.pass
	s.mu.Unlock()
	img, err := random.Image(256, 1)
	if err != nil {
		return err
	}
	auth := authn.Anonymous
	if user != "" {
		auth = &authn.Basic{Username: user, Password: pass}
	}
	return remote.Write(ref, img, remote.WithAuth(auth), remote.WithTransport(s.transport()), remote.WithContext(ctx))
}

// registryFor returns the simulated registry serving host, or nil.
// Caller holds s.mu.
func (s *Server) registryFor(host string) *simRegistry {
	regs := s.st.registries
	if h, _, err := net.SplitHostPort(host); err == nil && regs[strings.ToLower(host)] == nil {
		host = h
	}
	return regs[strings.ToLower(host)]
}

// serveRegistry answers a registry request, checking credentials first.
func (s *Server) serveRegistry(w http.ResponseWriter, r *http.Request, reg *simRegistry) {
	if reg.user != "" {
		if u, p, ok := r.BasicAuth(); !ok || u != reg.user || p != reg.pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="beanstalktest"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
	}
	reg.handler.ServeHTTP(w, r)
}

// pullFailure says why instances could not pull image with the auth file
// authJSON ("" when none), or "" when they could — or when no simulated
// registry serves its host. Caller holds s.mu.
func (st *state) pullFailure(image string, authJSON []byte) string {
	ref, err := name.ParseReference(image)
	if err != nil {
		return fmt.Sprintf("Failed to pull Docker image %s: invalid reference format.", image)
	}
	host := ref.Context().RegistryStr()
	reg := st.registries[strings.ToLower(host)]
	if reg == nil {
		return ""
	}
	req := httptest.NewRequest(http.MethodHead, "http://"+host+"/v2/"+ref.Context().RepositoryStr()+"/manifests/"+ref.Identifier(), nil)
	req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
	if user, pass, ok := authFileCredentials(authJSON, host); ok {
		req.SetBasicAuth(user, pass)
	}
	rec := httptest.NewRecorder()
	if reg.user != "" {
		if u, p, ok := req.BasicAuth(); !ok || u != reg.user || p != reg.pass {
			return fmt.Sprintf("Failed to pull Docker image %s: Error response from daemon: Head \"https://%s/v2/%s/manifests/%s\": no basic auth credentials. Check that the source image exists and that you have permission to access it.",
				image, host, ref.Context().RepositoryStr(), ref.Identifier())
		}
	}
	reg.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return fmt.Sprintf("Failed to pull Docker image %s: Error response from daemon: manifest for %s not found: manifest unknown: manifest unknown. Check that the source image exists and that you have permission to access it.", image, image)
	}
	return ""
}

// authFileCredentials reads host's credentials from a Docker auth file,
// in the current ({"auths": …}) or the legacy (flat) shape.
func authFileCredentials(authJSON []byte, host string) (user, pass string, ok bool) {
	if len(authJSON) == 0 {
		return "", "", false
	}
	var current struct {
		Auths map[string]struct{ Auth string } `json:"auths"`
	}
	var legacy map[string]struct{ Auth string }
	entries := map[string]struct{ Auth string }{}
	if json.Unmarshal(authJSON, &current) == nil && current.Auths != nil {
		entries = current.Auths
	} else if json.Unmarshal(authJSON, &legacy) == nil {
		entries = legacy
	}
	for key, e := range entries {
		k := strings.TrimPrefix(strings.TrimPrefix(key, "https://"), "http://")
		k, _, _ = strings.Cut(k, "/")
		if !strings.EqualFold(k, host) && !(host == "index.docker.io" && (k == "docker.io" || k == "index.docker.io")) {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(e.Auth)
		if err != nil {
			return "", "", false
		}
		user, pass, ok = strings.Cut(string(raw), ":")
		return user, pass, ok
	}
	return "", "", false
}
