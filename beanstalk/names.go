package beanstalk

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/beanswap/beanswap/dockercfg"
)

// Limits Beanstalk puts on names.
const (
	maxEnvironmentName = 40
	maxVersionLabel    = 100
	maxCNAMEPrefix     = 63
)

var unsafeChars = regexp.MustCompile(`[^a-z0-9]+`)

// VersionLabel names the application version of image and bundle: the
// image tag (or digest) and a hash of the bundle. The same image and
// bundle always give the same label, so a re-run finds the version it
// registered instead of failing on a duplicate, and a changed bundle for
// the same tag gets a label of its own.
func VersionLabel(image string, bundle []byte) string {
	sum := sha256.Sum256(bundle)
	hash := hex.EncodeToString(sum[:])[:10]
	tag := "latest"
	if ref, err := dockercfg.ParseReference(image); err == nil {
		switch {
		case ref.Tag != "":
			tag = ref.Tag
		case ref.Digest != "":
			_, hexDigest, _ := strings.Cut(ref.Digest, ":")
			tag = "sha-" + hexDigest[:min(12, len(hexDigest))]
		}
	}
	if max := maxVersionLabel - len(hash) - 1; len(tag) > max {
		tag = tag[:max]
	}
	return tag + "-" + hash
}

// EnvironmentName names the environment running label for service: the
// service name, a readable part of the label and its hash, within
// Beanstalk's 40 characters, e.g. "hello-1-4-2-3f9a0c1b2e".
func EnvironmentName(service, label string) string {
	tag, hash := label, ""
	if i := strings.LastIndexByte(label, '-'); i > 0 {
		tag, hash = label[:i], label[i+1:]
	}
	hash = sanitize(hash)
	if len(hash) > 8 {
		hash = strings.Trim(hash[:8], "-")
	}
	base := sanitize(service)
	room := maxEnvironmentName - len(base) - 1
	if hash != "" {
		room -= len(hash) + 1
	}
	tag = sanitize(tag)
	if len(tag) > room {
		tag = strings.Trim(tag[:max(room, 0)], "-")
	}
	parts := []string{base}
	for _, p := range []string{tag, hash} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	name := strings.Join(parts, "-")
	if len(name) > maxEnvironmentName {
		name = strings.Trim(name[:maxEnvironmentName], "-")
	}
	for len(name) < 4 {
		name += "-env"
	}
	return name
}

// CandidatePrefix is the temporary CNAME prefix of a new environment: the
// live prefix and the environment's suffix, within 63 characters.
func CandidatePrefix(livePrefix, envName, service string) string {
	suffix := strings.TrimPrefix(envName, sanitize(service))
	p := strings.ToLower(livePrefix) + "-" + strings.Trim(suffix, "-")
	if len(p) > maxCNAMEPrefix {
		p = p[:maxCNAMEPrefix]
	}
	return strings.Trim(p, "-")
}

// sanitize keeps lowercase letters and digits, joined by single hyphens.
func sanitize(s string) string {
	return strings.Trim(unsafeChars.ReplaceAllString(strings.ToLower(s), "-"), "-")
}
