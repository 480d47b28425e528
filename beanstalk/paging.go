package beanstalk

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// pageTokens follows a paginated listing. A server that hands back a
// token it gave already (an emulator's bug) would make the listing
// endless — and the watcher's polls run on no deadline of their own —
// so that is an error naming the listing.
type pageTokens struct {
	what string
	seen map[string]bool
}

// next returns the token of the page after the one that returned token,
// "" when that was the last.
func (p *pageTokens) next(token *string) (string, error) {
	t := aws.ToString(token)
	if t == "" {
		return "", nil
	}
	if p.seen[t] {
		return "", fmt.Errorf("%s: the server returned the page token %q twice; listing stopped", p.what, t)
	}
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	p.seen[t] = true
	return t, nil
}
