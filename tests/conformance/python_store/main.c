/*
 * The C store conformance suite (test_store_conformance.c, the same cases
 * that run on memory: and sqlite:) against a store written in Python:
 * rootly.DictStore, reached through the binding's C++ director shim.
 *
 * This program embeds CPython, imports the built `rootly` package from the
 * build tree (PYTHONPATH, set by ctest) and conformance_stores.py beside
 * this file, and for each case obtains a rootly_store * over a fresh Python
 * object. It links the shared librootly, the one the extension module
 * links, so the thread's error state is one and the same on both sides.
 * The main thread holds the GIL throughout; the shim's director calls take
 * it again (re-entrantly) around each Python method.
 *
 * Then cases only a host-language store has: a Python exception inside a
 * store method surfaces as an error code with its message.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "rootly_test.h"
#include "store_conformance.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rootly/sys/errors.h"
#include "rootly/sys/store.h"

static PyObject *g_stores; /* the conformance_stores module */

static rootly_store *open_kind(const char *kind)
{
	PyObject *r = PyObject_CallMethod(g_stores, "open_store", "s", kind);
	if (!r) {
		PyErr_Print();
		return NULL;
	}
	unsigned long long address = PyLong_AsUnsignedLongLong(r);
	Py_DECREF(r);
	if (PyErr_Occurred()) {
		PyErr_Print();
		return NULL;
	}
	if (!address)
		fprintf(stderr, "open_store(%s): %s\n", kind, rootly_error_last()->message);
	return (rootly_store *)(uintptr_t)address;
}

static rootly_store *open_python_store(void *kind)
{
	return open_kind(kind);
}

/* ---- exceptions inside a Python store ---------------------------------- */

static int never_cb(const rootly_record *r, void *payload)
{
	(void)r;
	(void)payload;
	fail_msg("callback called for a failed read");
	return 0;
}

static void assert_failed_with(int rc, int code, const char *const *words)
{
	assert_int_equal(rc, code);
	assert_int_equal(rootly_error_last()->code, code);
	const char *msg = rootly_error_last()->message;
	assert_non_null(msg);
	for (; *words; words++) {
		if (!strstr(msg, *words))
			fail_msg("message \"%s\" lacks \"%s\"", msg, *words);
	}
	/* the exception was handled, not left pending in the interpreter */
	assert_null(PyErr_Occurred());
}

static void t_python_exceptions(void **state)
{
	(void)state;
	rootly_store *st = open_kind("failing");
	assert_non_null(st);
	assert_string_equal(st->name, "python-failing");

	/* RuntimeError in get: ROOTLY_EIO, with the exception's type and text */
	int rc = st->record_get(st, "c", "r1", never_cb, NULL);
	assert_failed_with(rc, ROOTLY_EIO,
		(const char *const[]){ "RuntimeError", "disk on fire while reading c/r1", NULL });

	/* a rootly.ConflictError keeps its code */
	rootly_record r = { "r1", 0, "{}", NULL, NULL, NULL, NULL, NULL, 1 };
	int64_t rev = -7;
	rc = st->record_put(st, "c", &r, 0, &rev);
	assert_failed_with(rc, ROOTLY_ECONFLICT,
		(const char *const[]){ "refused by the python store: r1", NULL });

	/* a bad return value (int() of a string raises ValueError) */
	int64_t seq = -7;
	rc = st->stream_last(st, "s", &seq);
	assert_failed_with(rc, ROOTLY_EIO, (const char *const[]){ "ValueError", "not a number", NULL });

	/* an exception that leaves the Python method itself (the director's
	 * handler): the code, the slot and the text */
	rc = st->record_delete(st, "c", "r9");
	assert_failed_with(rc, ROOTLY_EIO, (const char *const[]){ "KeyError", "raw delete of r9 exploded", NULL });

	/* a director method returning None where an int is due */
	int64_t value = -7;
	rc = st->sequence_next(st, "n", &value);
	assert_true(rc < 0);
	assert_int_equal(rootly_error_last()->code, rc);
	assert_non_null(strstr(rootly_error_last()->message, "python-failing store"));
	assert_null(PyErr_Occurred());

	/* the store is still usable afterwards: what did not raise works */
	rt_ok(st->begin(st));
	rt_ok(st->stream_append(st, "s", 1, "x", 1));
	rt_ok(st->commit(st));
	rt_ok(st->check(st));
	st->free(st);
}

/* A failed call after a successful one leaves no stale message, and a
 * successful call keeps an earlier failure's message (the library may
 * roll back while reporting an error). */
static void t_python_error_state(void **state)
{
	(void)state;
	rootly_store *st = open_kind("dict");
	assert_non_null(st);
	rootly_error_set(ROOTLY_ENOTFOUND, ROOTLY_ERROR_INVALID, 0, "%s", "pending from before");
	rt_ok(st->begin(st));
	assert_int_equal(rootly_error_last()->code, ROOTLY_ENOTFOUND);
	assert_string_equal(rootly_error_last()->message, "pending from before");
	rt_ok(st->rollback(st));
	/* misuse reported by the Python store: commit with nothing open */
	int rc = st->commit(st);
	assert_int_equal(rc, ROOTLY_EINVALID);
	assert_int_equal(rootly_error_last()->code, ROOTLY_EINVALID);
	assert_null(strstr(rootly_error_last()->message, "pending from before"));
	st->free(st);
}

int main(void)
{
	/* no signal handlers: the test program, not Python, owns the process */
	Py_InitializeEx(0);
	g_stores = PyImport_ImportModule("conformance_stores");
	if (!g_stores) {
		PyErr_Print();
		fprintf(stderr, "cannot import conformance_stores: PYTHONPATH must name <build>/python "
			"and tests/conformance/python_store\n");
		return 1;
	}
	const struct CMUnitTest python_only[] = {
		cmocka_unit_test(t_python_exceptions),
		cmocka_unit_test(t_python_error_state),
	};
	int failed = 0;
	failed += store_conformance_run("store conformance: python (rootly.DictStore)", open_python_store,
		(void *)"dict");
	failed += cmocka_run_group_tests_name("python store: exceptions and error state", python_only, NULL, NULL);

	PyObject *r = PyObject_CallMethod(g_stores, "finish", NULL);
	if (!r) {
		PyErr_Print();
		failed++;
	}
	Py_XDECREF(r);
	Py_DECREF(g_stores);
	if (Py_FinalizeEx() < 0)
		failed++;
	return failed ? 1 : 0;
}
