package config

// nearestKey returns the deploy key closest to name when it is close
// enough to be a typo ("aws_host_min" → "aws_hosts_min"), else "".
func nearestKey(name string) string {
	best, bestDist := "", 1<<30
	for _, k := range deployKeys {
		if d := editDistance(name, k.name); d < bestDist {
			best, bestDist = k.name, d
		}
	}
	// Allow one edit per four characters, at least one and at most three:
	// close enough to be a slip, far enough not to flag application keys.
	limit := len(name) / 4
	if limit < 1 {
		limit = 1
	}
	if limit > 3 {
		limit = 3
	}
	if bestDist <= limit {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
