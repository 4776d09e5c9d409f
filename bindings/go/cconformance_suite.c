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

/*
 * The cases that tell an absent optional field (C NULL) from an empty one
 * (""): a NULL status/key/group_key/service/severity read back as NULL, an
 * empty one as "", and a query filter of "" matching only "". Go's Record
 * and Query hold plain strings, so a Go store cannot keep the two apart
 * (docs/bindings.md). With NULL and "" taken as one value these five pass
 * too; the other 23 run as they are.
 */
static const char *const go_known_gaps[] = {
	"t_put_get_revision",
	"t_put_conflicts",
	"t_find_filters",
	"t_tx_rollback_inner",
	"t_unicode_and_quotes",
	NULL,
};

int rootly_go_cconformance_run(void)
{
	return store_conformance_run_except("store conformance: go (rootly.MemStore)", go_open, NULL,
		go_known_gaps);
}
