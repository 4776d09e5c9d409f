//go:build rootly_cconformance

package rootly

// The C store conformance suite (tests/conformance/test_store_conformance.c,
// the cmocka cases that run on memory: and sqlite:) against a store written
// in Go: MemStore through storeAdapter and the SWIG director shim, exactly
// as OpenStore reaches it. Only in builds with the rootly_cconformance tag
// (bindings/go/test.sh runs it): the C sources live outside this module, so
// a module consumer never compiles this file.

/*
#cgo pkg-config: librootly
#cgo CFLAGS: -I${SRCDIR}/../../tests/support -I${SRCDIR}/../../tests/conformance -DROOTLY_CONFORMANCE_NO_MAIN -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wno-unused-parameter
#cgo CXXFLAGS: -std=c++17 -I${SRCDIR}/internal/raw -Wno-unused-parameter -Wno-unused-function
#cgo LDFLAGS: -lcmocka
#include <stdint.h>
int rootly_go_cconformance_run(void);
uintptr_t rootly_go_cconformance_wrap(uintptr_t impl);
*/
import "C"

import "runtime"

// The adapters behind every vtable handed to the suite: the vtable holds no
// reference, so they stay here until the run is over.
var cconformanceAdapters []*storeAdapter

// rootlyGoConformanceOpen is the suite's store factory: a fresh MemStore
// wrapped in a C vtable (0 on failure; the case then fails).
//
//export rootlyGoConformanceOpen
func rootlyGoConformanceOpen() C.uintptr_t {
	a := newStoreAdapter(NewMemStore())
	cconformanceAdapters = append(cconformanceAdapters, a)
	return C.rootly_go_cconformance_wrap(C.uintptr_t(a.director.Swigcptr()))
}

// runCConformance runs the C cases on MemStore and returns how many failed.
// One OS thread throughout: the cases read the thread's last error.
func runCConformance() int {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	failed := int(C.rootly_go_cconformance_run())
	for _, a := range cconformanceAdapters {
		a.release()
	}
	cconformanceAdapters = nil
	return failed
}
