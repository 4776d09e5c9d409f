//go:build rootly_cconformance

package rootly

import "testing"

// The C store conformance suite against MemStore: 23 of its 28 cmocka
// cases (the five that tell C NULL from "" are left out, see
// cconformance_suite.c); the per-case output goes to stdout.
func TestCConformance(t *testing.T) {
	if failed := runCConformance(); failed != 0 {
		t.Fatalf("%d C conformance case(s) failed on MemStore (see the cmocka output above)", failed)
	}
}
