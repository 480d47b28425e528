package beanstalk

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

var envNameRule = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{2,38}[A-Za-z0-9]$`)

func TestVersionLabel(t *testing.T) {
	bundle := []byte("bundle-1")
	l1 := VersionLabel("team/hello:1.4.2", bundle)
	assert.Regexp(t, `^1\.4\.2-[0-9a-f]{10}$`, l1)
	assert.Equal(t, l1, VersionLabel("team/hello:1.4.2", bundle), "deterministic")
	assert.NotEqual(t, l1, VersionLabel("team/hello:1.4.2", []byte("bundle-2")), "a new bundle is a new version")
	assert.Regexp(t, `^latest-`, VersionLabel("team/hello", bundle))
	assert.Regexp(t, `^sha-abababababab-`, VersionLabel("team/hello@sha256:"+strings.Repeat("ab", 32), bundle))
	long := VersionLabel("team/hello:"+strings.Repeat("x", 128), bundle)
	assert.LessOrEqual(t, len(long), 100)
}

func TestEnvironmentName(t *testing.T) {
	tests := map[string]struct{ service, label, want string }{
		"plain":          {"hello", "1.4.2-3f9a0c1b2e", "hello-1-4-2-3f9a0c1b"},
		"long tag":       {"hello", strings.Repeat("v", 80) + "-3f9a0c1b2e", "hello-" + strings.Repeat("v", 25) + "-3f9a0c1b"},
		"long service":   {strings.Repeat("s", 23), "20240101-abc-3f9a0c1b2e", strings.Repeat("s", 23) + "-2024010-3f9a0c1b"},
		"odd characters": {"Hello_API", "Feature/X_1-0123456789", "hello-api-feature-x-1-01234567"},
		"short":          {"ab", "x", "ab-x"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := EnvironmentName(tc.service, tc.label)
			assert.Equal(t, tc.want, got)
			assert.Regexp(t, envNameRule, got)
		})
	}
	a := EnvironmentName("hello", VersionLabel("team/hello:1", []byte("a")))
	b := EnvironmentName("hello", VersionLabel("team/hello:1", []byte("b")))
	assert.NotEqual(t, a, b, "two bundles of one tag get two environments")
}

func TestCandidatePrefix(t *testing.T) {
	assert.Equal(t, "hello-1-4-2-3f9a0c1b", CandidatePrefix("hello", "hello-1-4-2-3f9a0c1b", "hello"))
	assert.LessOrEqual(t, len(CandidatePrefix(strings.Repeat("p", 60), "hello-1-4-2-3f9a0c1b", "hello")), 63)
}

// FuzzEnvironmentName: whatever the service name and label, the result
// obeys Beanstalk's rule.
func FuzzEnvironmentName(f *testing.F) {
	f.Add("hello", "1.4.2-3f9a0c1b2e")
	f.Add("a", "")
	f.Add("x--y", "--")
	f.Add("\xc5A ", "0- 0000000 0")
	f.Fuzz(func(t *testing.T, service, label string) {
		if sanitize(service) == "" || len(service) > 23 {
			t.Skip() // config rejects such names
		}
		if got := EnvironmentName(service, label); !envNameRule.MatchString(got) {
			t.Fatalf("EnvironmentName(%q, %q) = %q", service, label, got)
		}
	})
}
