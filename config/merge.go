package config

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// maxAliasWork bounds the nodes visited while resolving aliases and
// merges: a file of nested aliases ("billion laughs") is an error, not a
// hang.
const maxAliasWork = 10000

var errAliasBomb = errors.New("too many aliases and merges (more than 10000 nodes)")

// deref follows aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// entry is one key of the top-level mapping, after merges.
type entry struct {
	key, value *yaml.Node
	merged     bool // came from a << merge key
}

// entries lists a mapping's keys as PyYAML reads them: anchors and
// aliases resolved, and "<<" merge keys (one mapping, or a list of them)
// expanded into keys the mapping does not set itself — earlier merges
// win over later ones, explicit keys over merged ones.
func entries(m *yaml.Node) ([]entry, error) {
	work := 0
	var walk func(m *yaml.Node, merged bool, depth int) ([]entry, error)
	walk = func(m *yaml.Node, merged bool, depth int) ([]entry, error) {
		if depth > 20 {
			return nil, errAliasBomb
		}
		var explicit, fromMerge []entry
		for i := 0; i+1 < len(m.Content); i += 2 {
			if work++; work > maxAliasWork {
				return nil, errAliasBomb
			}
			k, v := m.Content[i], deref(m.Content[i+1])
			if k.Tag != "!!merge" && k.Value != "<<" {
				explicit = append(explicit, entry{key: k, value: v, merged: merged})
				continue
			}
			sources := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				sources = v.Content
			}
			for _, src := range sources {
				src = deref(src)
				if src == nil || src.Kind != yaml.MappingNode {
					return nil, fmt.Errorf("line %d: a << merge key takes a mapping or a list of mappings", k.Line)
				}
				sub, err := walk(src, true, depth+1)
				if err != nil {
					return nil, err
				}
				fromMerge = append(fromMerge, sub...)
			}
		}
		seen := map[string]bool{}
		for _, e := range explicit {
			seen[e.key.Value] = true
		}
		out := explicit
		for _, e := range fromMerge {
			if !seen[e.key.Value] {
				seen[e.key.Value] = true
				out = append(out, e)
			}
		}
		return out, nil
	}
	return walk(m, false, 0)
}
