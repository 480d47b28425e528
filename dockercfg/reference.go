package dockercfg

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
)

// DockerHub is the registry name of Docker Hub in a Reference.
const DockerHub = "docker.io"

// DockerHubServer is the key Docker Hub credentials are stored under, in
// config files and credential helpers alike.
const DockerHubServer = "https://index.docker.io/v1/"

// ErrInvalidReference is wrapped by every image reference parse error.
var ErrInvalidReference = errors.New("invalid image reference")

var (
	componentPattern = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	tagPattern       = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)
	sha256Pattern    = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
	hostPattern      = regexp.MustCompile(`^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]{1,5})?$|^\[[0-9a-fA-F:]+\](?::[0-9]{1,5})?$`)
	ecrPattern       = regexp.MustCompile(`^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$`)
)

// Reference is a parsed image reference such as "user/app:1.2",
// "registry.example.com:5000/team/app@sha256:…" or an ECR URL.
type Reference struct {
	// Registry is the registry host[:port], DockerHub for Docker Hub.
	Registry string
	// Repository is the path in the registry ("library/nginx" for "nginx").
	Repository string
	// Tag is "" when the reference has none (Docker then pulls "latest").
	Tag string
	// Digest is "algorithm:hex", or "".
	Digest string
}

// ParseReference parses an image reference the way the docker CLI does:
// the first path component is a registry when it holds a dot or a colon or
// is "localhost"; otherwise the image is on Docker Hub.
func ParseReference(s string) (Reference, error) {
	orig := s
	bad := func(why string) (Reference, error) {
		return Reference{}, fmt.Errorf("%w %q: %s", ErrInvalidReference, orig, why)
	}
	if s == "" {
		return bad("empty")
	}
	if len(s) > 512 || strings.TrimSpace(s) != s {
		return bad("too long or surrounded by spaces")
	}
	var ref Reference
	if name, digest, ok := strings.Cut(s, "@"); ok {
		// Only sha256: what the registry client of the pull check (and
		// most registries) accept.
		if !sha256Pattern.MatchString(digest) {
			return bad("digest must look like sha256:<64 hex digits>")
		}
		ref.Digest, s = digest, name
	}
	if i := strings.LastIndexByte(s, ':'); i > strings.LastIndexByte(s, '/') {
		ref.Tag, s = s[i+1:], s[:i]
		if !tagPattern.MatchString(ref.Tag) {
			return bad("tag must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
		}
	}
	ref.Registry, ref.Repository = DockerHub, s
	if first, rest, ok := strings.Cut(s, "/"); ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		if !hostPattern.MatchString(first) || !validIPv6Literal(first) {
			return bad(fmt.Sprintf("registry %q is not a host[:port]", first))
		}
		ref.Registry, ref.Repository = NormalizeRegistry(first), rest
	}
	if ref.Registry == DockerHub && !strings.Contains(ref.Repository, "/") {
		ref.Repository = "library/" + ref.Repository
	}
	if ref.Repository == "" {
		return bad("no repository")
	}
	for _, c := range strings.Split(ref.Repository, "/") {
		if !componentPattern.MatchString(c) {
			return bad(fmt.Sprintf("repository path component %q must be lowercase letters and digits separated by '.', '_', '__' or '-'", c))
		}
	}
	if len(ref.Registry)+1+len(ref.Repository) > 255 {
		return bad("name longer than 255 characters")
	}
	return ref, nil
}

// String returns the reference in full: registry/repository[:tag][@digest].
func (r Reference) String() string {
	s := r.Registry + "/" + r.Repository
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// ServerAddress is the key of this registry's credentials in a Docker
// config file and the server URL given to credential helpers.
func (r Reference) ServerAddress() string { return ServerAddress(r.Registry) }

// ECRRegion returns the AWS region of an Amazon ECR private registry.
// Beanstalk instances pull those with their instance profile: they need no
// auth file.
func (r Reference) ECRRegion() (string, bool) {
	m := ecrPattern.FindStringSubmatch(r.Registry)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// NeedsNoAuth reports why the image can be pulled without an auth file:
// ECR private registries (instance profile) and ECR Public (anonymous).
func (r Reference) NeedsNoAuth() (reason string, ok bool) {
	if region, ok := r.ECRRegion(); ok {
		return "Amazon ECR (" + region + ") images are pulled with the instance profile; " +
			"give it AmazonEC2ContainerRegistryReadOnly or equivalent", true
	}
	if r.Registry == "public.ecr.aws" {
		return "Amazon ECR Public images are pulled anonymously", true
	}
	return "", false
}

// NormalizeRegistry turns any spelling of a registry found in a Docker
// config key or an image reference into the form used in a Reference:
// Docker Hub's aliases and URLs become DockerHub; others lose their scheme
// and path and are lower-cased.
func NormalizeRegistry(key string) string {
	host := key
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if i := strings.IndexByte(host, '/'); i >= 0 {
		host = host[:i]
	}
	host = strings.ToLower(host)
	switch host {
	case "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com":
		return DockerHub
	}
	return host
}

// ServerAddress returns the credentials key of a registry: DockerHubServer
// for Docker Hub, the normalised host[:port] otherwise.
func ServerAddress(registry string) string {
	if r := NormalizeRegistry(registry); r != DockerHub {
		return r
	}
	return DockerHubServer
}

// validIPv6Literal checks the address of a bracketed host; any other host
// passes.
func validIPv6Literal(host string) bool {
	if !strings.HasPrefix(host, "[") {
		return true
	}
	addr, _, _ := strings.Cut(host[1:], "]")
	ip := net.ParseIP(addr)
	return ip != nil && ip.To4() == nil
}
