package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValueNeverPrinted(t *testing.T) {
	const raw = "hunter2-value"
	v := New(raw)
	require.Equal(t, raw, v.Reveal())

	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%T"} {
		for _, arg := range []any{v, &v, []Value{v}, map[string]Value{"k": v}, struct{ V Value }{v}, struct{ p *Value }{&v}} {
			fmt.Fprintf(&out, verb+"\n", arg)
		}
	}
	j, err := json.Marshal(map[string]any{"v": v, "p": &v})
	require.NoError(t, err)
	out.Write(j)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("m", "v", v, "p", &v)
	slog.New(slog.NewTextHandler(&out, nil)).Info("m", "v", v)

	assert.NotContains(t, out.String(), raw)
	assert.Contains(t, out.String(), Redacted)
}

func TestScrub(t *testing.T) {
	tests := map[string]struct {
		in      string
		secrets []Value
		want    string
	}{
		"replaces every occurrence": {"a=hunter2 b=hunter2", []Value{New("hunter2")}, "a=[redacted] b=[redacted]"},
		"several secrets":           {"x y", []Value{New("xxx"), New("y")}, "x y"},
		"short values are kept":     {"ab", []Value{New("ab")}, "ab"},
		"nothing to scrub":          {"plain", nil, "plain"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, Scrub(tc.in, tc.secrets...))
		})
	}
}

func TestIsZero(t *testing.T) {
	assert.True(t, Value{}.IsZero())
	assert.False(t, New("x").IsZero())
}
