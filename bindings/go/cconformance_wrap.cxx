//go:build rootly_cconformance

// A C vtable over a Go store's director object, for cconformance_cgo.go
// (build tag rootly_cconformance): the same shim OpenStore uses.
#include <stdint.h>

extern "C" {
#include "rootly.h"
#include "rootly/sys/alloc.h"
}
#include "rootly_swig_shim.hpp"

extern "C" uintptr_t rootly_go_cconformance_wrap(uintptr_t impl)
{
	rootly_store *st = NULL;
	if (rootly_swig::store_wrap(&st, reinterpret_cast<rootly_swig::StoreBackend *>(impl)) < 0)
		return 0;
	return reinterpret_cast<uintptr_t>(st);
}
