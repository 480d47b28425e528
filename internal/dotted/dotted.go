// Package dotted compares dotted numeric versions such as platform
// versions ("4.13.1").
package dotted

import (
	"strconv"
	"strings"
)

// Compare returns -1, 0 or 1 as a is lower, equal or higher than b.
// Missing or non-numeric parts count as 0.
func Compare(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
