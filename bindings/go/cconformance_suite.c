//go:build rootly_cconformance

/*
 * The C store conformance cases compiled into the Go package for
 * cconformance_cgo.go (build tag rootly_cconformance): the suite file
 * unchanged, without its main (ROOTLY_CONFORMANCE_NO_MAIN), and the test
 * helpers it uses.
 */
/* The suite reads no fixture file; rootly_test.c wants the directory. */
#define ROOTLY_TEST_FIXTURES "../../tests/fixtures"
#include "../../tests/support/rootly_test.c"
#include "../../tests/conformance/test_store_conformance.c"

#include "_cgo_export.h"

static rootly_store *go_open(void *arg)
{
	(void)arg;
	return (rootly_store *)rootlyGoConformanceOpen();
}

int rootly_go_cconformance_run(void)
{
	return store_conformance_run("store conformance: go (rootly.MemStore)", go_open, NULL);
}
