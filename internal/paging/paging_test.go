package paging

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tokens  []*string
		wantErr string // on the last token; the others pass
	}{
		{name: "a single page", tokens: []*string{nil}},
		{name: "an empty token ends", tokens: []*string{aws.String("a"), aws.String("")}},
		{name: "distinct tokens", tokens: []*string{aws.String("a"), aws.String("b"), nil}},
		{name: "a repeated token", tokens: []*string{aws.String("a"), aws.String("b"), aws.String("a")},
			wantErr: `list things: the server returned the page token "a" twice; listing stopped`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Tokens{What: "list things"}
			for i, tok := range tc.tokens {
				got, err := p.Next(tok)
				if i == len(tc.tokens)-1 && tc.wantErr != "" {
					require.EqualError(t, err, tc.wantErr)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, aws.ToString(tok), got)
			}
		})
	}
}
