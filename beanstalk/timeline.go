package beanstalk

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"time"
)

// A wait polls when a change is due, not at fixed intervals. What is due
// when is learned: each successful wait records its timeline — the
// events Beanstalk emitted and the states the environments went
// through, at their offsets from the operation's start — under its
// application and purpose. The next wait of the same kind predicts each
// mark from that timeline, rescaled by how fast this operation goes so
// far (the exact dates of its events tell), polls just before a mark is
// due and densely around it, and sleeps in between. Until something is
// learned, a safe prior: polls backing off from 5 s to 15 s.

// mark is one moment of a learned timeline.
type mark struct {
	sig   string        // "event:<env>:<first words>", "status:<env>:<status>" or "health:<env>:<health>"
	off   time.Duration // from the operation's start
	event bool
	// errs is the typical error of its prediction: the window polled
	// densely around it.
	errs time.Duration
	// missed counts the latest runs in a row that did not see it: a
	// state can pass between two polls, and one run that missed it
	// does not forget it; three do.
	missed int
}

// forgetAfter is how many runs in a row may miss a mark before it is
// forgotten.
const forgetAfter = 3

type timeline struct{ marks []mark }

// timelines are a Monitor's learned timelines, by application and
// purpose.
type timelines struct {
	mu sync.Mutex
	by map[string]*timeline
}

func (t *timelines) get(key string) *timeline {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.by[key]
}

// learn records what a successful wait saw: marks by signature, with
// their offsets, and how far off their predictions were.
func (t *timelines) learn(key string, seen []mark, predErr map[string]time.Duration) {
	if len(seen) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.by == nil {
		t.by = map[string]*timeline{}
	}
	old := map[string]mark{}
	if prev := t.by[key]; prev != nil {
		for _, m := range prev.marks {
			old[m.sig] = m
		}
	}
	next := &timeline{}
	seenSigs := map[string]bool{}
	for _, m := range seen {
		seenSigs[m.sig] = true
		if o, ok := old[m.sig]; ok {
			m.errs = o.errs
			if e, ok := predErr[m.sig]; ok {
				m.errs = max(e, (o.errs+e)/2) // a bigger miss counts at once; a smaller one halfway
			}
		} else if e, ok := predErr[m.sig]; ok {
			m.errs = e
		} else {
			m.errs = -1 // unknown yet
		}
		next.marks = append(next.marks, m)
	}
	for _, o := range old {
		if !seenSigs[o.sig] && o.missed+1 < forgetAfter {
			o.missed++
			next.marks = append(next.marks, o)
		}
	}
	slices.SortStableFunc(next.marks, func(a, b mark) int { return cmp.Compare(a.off, b.off) })
	t.by[key] = next
}

// eventSig names an event by its first words, up to one that names a
// resource (an id, a name, a number): those differ every time.
func eventSig(env int, msg string) string {
	var words []string
	for _, w := range strings.Fields(strings.ToLower(msg)) {
		w = strings.Trim(w, "[]().,:;'\"")
		if w == "" || strings.ContainsAny(w, "0123456789-_/") || len(words) == 4 {
			break
		}
		words = append(words, w)
	}
	return "event:" + string(rune('0'+env)) + ":" + strings.Join(words, " ")
}

func statusSig(env int, status string) string {
	return "status:" + string(rune('0'+env)) + ":" + status
}

func healthSig(env int, health string) string {
	return "health:" + string(rune('0'+env)) + ":" + health
}
