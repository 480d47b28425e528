package dockercfg

import (
	"fmt"

	"github.com/beanswap/beanswap/secret"
)

// Credentials are what a registry needs to let an image be pulled.
// Password and IdentityToken never print.
type Credentials struct {
	// ServerAddress is the key the credentials belong to (DockerHubServer
	// for Docker Hub, host[:port] otherwise).
	ServerAddress string
	Username      string
	Password      secret.Value
	// IdentityToken is an OAuth refresh token some registries hand out
	// instead of a password (a helper signals it with Username "<token>").
	IdentityToken secret.Value
	// Email is kept for the legacy .dockercfg format.
	Email string
	// Source says where they were found: a config file path or
	// "credential helper NAME".
	Source string
}

// String describes the credentials without their secrets.
func (c Credentials) String() string {
	kind := "password"
	if !c.IdentityToken.IsZero() {
		kind = "identity token"
	}
	return fmt.Sprintf("%s for %s as %q from %s", kind, c.ServerAddress, c.Username, c.Source)
}

func secretOf(s string) secret.Value {
	if s == "" {
		return secret.Value{}
	}
	return secret.New(s)
}
