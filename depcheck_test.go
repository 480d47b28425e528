package beanswap

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestLayering keeps the packages layered as doc.go draws them: the
// steps (beanstalk, swap, …) take plain Go values, not the pym-config.yaml
// model; nothing imports a command or an example; the CLI links neither
// the simulator nor the testing package.
func TestLayering(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	const mod = "github.com/beanswap/beanswap"
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	forbidden := map[string][]string{
		mod + "/beanstalk":     {mod + "/config", mod, mod + "/beanstalktest"},
		mod + "/swap":          {mod + "/config", mod, mod + "/beanstalktest"},
		mod + "/dockercfg":     {mod + "/config", mod + "/beanstalk", mod},
		mod + "/acceptance":    {mod + "/config", mod + "/beanstalk", mod},
		mod + "/lock":          {mod + "/config", mod + "/beanstalk", mod},
		mod + "/notify":        {mod + "/config", mod + "/beanstalk", mod},
		mod + "/progress":      {mod + "/config", mod + "/beanstalk", mod},
		mod + "/config":        {mod, mod + "/swap", mod + "/beanstalktest"},
		mod:                    {mod + "/beanstalktest", "testing"},
		mod + "/cmd/beanswap":  {mod + "/beanstalktest", "testing"},
		mod + "/beanstalktest": {"testing", mod, mod + "/config"},
	}
	for pkg, bad := range forbidden {
		got := deps(pkg)
		for _, b := range bad {
			if slices.Contains(got, b) {
				t.Errorf("%s imports %s (directly or not)", pkg, b)
			}
		}
	}
	all, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(all)), "\n") {
		fields := strings.Fields(line)
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, mod+"/cmd/") || strings.HasPrefix(imp, mod+"/examples/") {
				t.Errorf("%s imports %s: commands and examples are programs, never libraries", fields[0], imp)
			}
		}
	}
}
