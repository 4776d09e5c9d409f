//go:build rootly_cconformance

package rootly

import "testing"

// The C store conformance suite against MemStore: all 28 cmocka cases,
// including the five that tell an absent field (C NULL) from "" (Record's
// and Query's *string fields); the per-case output goes to stdout.
func TestCConformance(t *testing.T) {
	if failed := runCConformance(); failed != 0 {
		t.Fatalf("%d C conformance case(s) failed on MemStore (see the cmocka output above)", failed)
	}
}
