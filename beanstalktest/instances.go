package beanstalktest

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// isInstanceHost reports whether host names a simulated environment
// rather than an AWS API: Beanstalk CNAMEs, load balancer names, and the
// endpoints the simulator handed out.
func (s *Server) isInstanceHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if strings.HasSuffix(host, ".elasticbeanstalk.com") || strings.HasSuffix(host, ".elb.amazonaws.com") {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.instanceEnv(host) != nil
}

// resolves reports whether DNS would answer for host now.
func (s *Server) resolves(host string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.advance(s.clock.Now())
	return s.st.instanceEnv(strings.ToLower(strings.TrimSuffix(host, "."))) != nil
}

// instanceEnv returns the environment whose CNAME or endpoint is host.
func (st *state) instanceEnv(host string) *environment {
	for _, e := range st.envs {
		if e.status == types.EnvironmentStatusTerminated {
			continue
		}
		if e.cname == host || e.endpoint == host {
			return e
		}
	}
	return nil
}

// serveInstance answers HTTP traffic for an environment the way its load
// balancer would: 503 while it has no healthy instance, else its handler.
func (s *Server) serveInstance(w http.ResponseWriter, r *http.Request, host string) {
	s.mu.Lock()
	s.st.advance(s.clock.Now())
	e := s.st.instanceEnv(strings.ToLower(strings.TrimSuffix(host, ".")))
	var h http.Handler
	unavailable := ""
	switch {
	case e == nil:
		unavailable = "no environment answers for " + host
	case overTLS(r.Context()) && !e.https():
		s.mu.Unlock()
		dropConnection(w) // no HTTPS listener: the load balancer does not answer on 443
		return
	case e.status == types.EnvironmentStatusLaunching:
		unavailable = "environment " + e.name + " is launching"
	case e.status == types.EnvironmentStatusTerminating:
		unavailable = "environment " + e.name + " is terminating"
	case e.degraded:
		unavailable = "environment " + e.name + " is degraded (simulated)"
	case e.handler != nil:
		h = e.handler
	case e.outcome.Handler != nil:
		h = e.outcome.Handler
	default:
		h = newVersionApp(e)
	}
	s.mu.Unlock()
	if h == nil {
		http.Error(w, "503 Service Unavailable: "+unavailable, http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

// versionApp is the default service on every environment, as a real
// container would be: /ping answers {}, and /version reports what the
// container was told in its environment (BEANSWAP_SERVICE,
// BEANSWAP_VERSION, BEANSWAP_IMAGE, which beanswap passes): it cannot
// know Beanstalk's version label otherwise.
type versionApp struct{ service, version, image string }

func newVersionApp(e *environment) versionApp {
	env := func(name string) string { v, _ := optionValue(e.options, nsEnvVars, name); return v }
	return versionApp{service: env("BEANSWAP_SERVICE"), version: env("BEANSWAP_VERSION"), image: env("BEANSWAP_IMAGE")}
}

func (a versionApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/ping":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}\n"))
	case "/version":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"name": a.service, "version": a.version, "image": a.image})
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(a.service + " " + a.version + "\n"))
	}
}

// https reports whether the environment has an HTTPS listener (an
// aws:elbv2 or aws:elb listener on 443 with a certificate).
func (e *environment) https() bool {
	for _, ns := range []string{"aws:elbv2:listener:443", "aws:elb:listener:443"} {
		for _, opt := range []string{"SSLCertificateArns", "SSLCertificateId"} {
			if v, ok := optionValue(e.options, ns, opt); ok && v != "" {
				return true
			}
		}
	}
	return false
}
