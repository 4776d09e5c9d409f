/*
 * The store conformance suite (test_store_conformance.c) as a function, for
 * programs that run its cases against a store they make themselves (a store
 * written in Python: tests/conformance/python_store). Such a program
 * compiles test_store_conformance.c with ROOTLY_CONFORMANCE_NO_MAIN.
 */
#ifndef ROOTLY_STORE_CONFORMANCE_H
#define ROOTLY_STORE_CONFORMANCE_H

#include "rootly/sys/store.h"

/* A fresh, empty store for one case (the case frees it through its free
 * slot), or NULL on failure (the case then fails). */
typedef rootly_store *(*store_conformance_open_fn)(void *arg);

/* Run every backend-independent case as the cmocka group `group`, each on
 * a store from open(arg). Returns the number of failed cases. */
int store_conformance_run(const char *group, store_conformance_open_fn open, void *arg);

/* The same, leaving out the cases named in `skip` (a NULL-terminated list
 * of case names, e.g. "t_put_get_revision"; NULL: none): for a store with a
 * known, documented gap, so the rest still guards it. */
int store_conformance_run_except(const char *group, store_conformance_open_fn open, void *arg,
	const char *const *skip);

#endif
