//go:build !unix

package proc

// Alive cannot tell here.
func Alive(int) (alive, known bool) { return false, false }
