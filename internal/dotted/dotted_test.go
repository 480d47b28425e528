package dotted

import "testing"

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"4.13.1", "4.9.2", 1},
		{"4.9.2", "4.13.1", -1},
		{"4.10", "4.10.0", 0},
		{"3", "3.0.1", -1},
		{"", "0", 0},
	}
	for _, tc := range tests {
		if got := Compare(tc.a, tc.b); got != tc.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
