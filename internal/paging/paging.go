// Package paging follows AWS's paginated listings safely: a server that
// hands back a page token it gave already (an emulator's bug) would make
// a listing endless, and some listings run on no deadline of their own.
package paging

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Tokens follows one listing's page tokens. The zero value is ready,
// named by nothing; set What to name the listing in its error.
type Tokens struct {
	What string
	seen map[string]bool
}

// Next returns the token of the page after the one that returned token,
// "" when that was the last, and an error naming the listing when the
// server returned token before.
func (p *Tokens) Next(token *string) (string, error) {
	t := aws.ToString(token)
	if t == "" {
		return "", nil
	}
	if p.seen[t] {
		return "", fmt.Errorf("%s: the server returned the page token %q twice; listing stopped", p.What, t)
	}
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	p.seen[t] = true
	return t, nil
}
