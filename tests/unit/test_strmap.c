/*
 * The string map (src/store/strmap.c) against a plain array model: random
 * puts, replacements, removals (backward shifts), growth and lookups, many
 * of them repeated, so that a get answered from the remembered slot of the
 * last one (`last`) is checked after every kind of change, and with keys
 * that are equal strings at other addresses.
 */
#include "rootly_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/strmap.h"

enum { KEYS = 40, STEPS = 20000 };

static char g_keys[KEYS][24];   /* the stored (borrowed) keys */
static char g_probes[KEYS][24]; /* the same strings elsewhere */
static int g_values[KEYS];
static bool g_in[KEYS];           /* the model: key i present */
static int *g_model_value[KEYS];  /* and its value */

static unsigned g_seed = 12345;
static unsigned next_rand(void)
{
	g_seed = g_seed * 1103515245u + 12345u;
	return (g_seed >> 8) & 0xffffff;
}

static void check_all(rootly__strmap *m)
{
	for (int i = 0; i < KEYS; i++) {
		void *v = rootly__strmap_get(m, g_probes[i]);
		assert_ptr_equal(v, g_in[i] ? (void *)g_model_value[i] : NULL);
		/* again, by the stored pointer: the remembered slot */
		assert_ptr_equal(rootly__strmap_get(m, g_keys[i]), v);
	}
}

static void test_model(void **state)
{
	(void)state;
	for (int i = 0; i < KEYS; i++) {
		/* ids that share a long prefix, as ULIDs of one millisecond do */
		snprintf(g_keys[i], sizeof(g_keys[i]), "01M8E2HC5%02dZW788W825CC", i);
		memcpy(g_probes[i], g_keys[i], sizeof(g_keys[i]));
		g_values[i] = i;
	}
	rootly__strmap m = { 0 };
	for (int step = 0; step < STEPS; step++) {
		int k = (int)(next_rand() % KEYS);
		unsigned op = next_rand() % 10;
		if (op < 4) {
			/* put (new or replacing), its value alternating */
			assert_true(rootly__strmap_reserve(&m, 1));
			int *v = &g_values[(k + step) % KEYS];
			rootly__strmap_put(&m, g_keys[k], v);
			g_in[k] = true;
			g_model_value[k] = v;
		} else if (op < 7) {
			void *v = rootly__strmap_remove(&m, g_probes[k]);
			assert_ptr_equal(v, g_in[k] ? (void *)g_model_value[k] : NULL);
			g_in[k] = false;
		} else {
			/* the same key twice, then a neighbour and the first again */
			int j = (k + 1) % KEYS;
			void *want = g_in[k] ? (void *)g_model_value[k] : NULL;
			assert_ptr_equal(rootly__strmap_get(&m, g_probes[k]), want);
			assert_ptr_equal(rootly__strmap_get(&m, g_probes[k]), want);
			assert_ptr_equal(rootly__strmap_get(&m, g_probes[j]), g_in[j] ? (void *)g_model_value[j] : NULL);
			assert_ptr_equal(rootly__strmap_get(&m, g_keys[k]), want);
		}
		size_t count = 0;
		for (int i = 0; i < KEYS; i++)
			count += g_in[i];
		assert_int_equal(m.count, count);
		if (step % 97 == 0)
			check_all(&m);
	}
	check_all(&m);
	/* emptied slot by slot, the remembered slot's key gone with it */
	for (int i = 0; i < KEYS; i++) {
		rootly__strmap_get(&m, g_probes[i]);
		rootly__strmap_remove(&m, g_probes[i]);
		g_in[i] = false;
		assert_null(rootly__strmap_get(&m, g_probes[i]));
	}
	assert_int_equal(m.count, 0);
	rootly__strmap_dispose(&m);
	assert_null(rootly__strmap_get(&m, g_probes[0]));
}

/* A key missing after a hit on another: not answered from the slot. */
static void test_remembered_slot_other_key(void **state)
{
	(void)state;
	rootly__strmap m = { 0 };
	static int a = 1, b = 2;
	assert_true(rootly__strmap_reserve(&m, 2));
	rootly__strmap_put(&m, "alpha", &a);
	assert_ptr_equal(rootly__strmap_get(&m, "alpha"), &a);
	assert_null(rootly__strmap_get(&m, "alphb"));
	assert_null(rootly__strmap_get(&m, "alph"));
	rootly__strmap_put(&m, "beta", &b);
	assert_ptr_equal(rootly__strmap_get(&m, "beta"), &b);
	assert_ptr_equal(rootly__strmap_get(&m, "alpha"), &a);
	/* grown past its first size: every slot moves */
	static char many[64][8];
	static int vals[64];
	for (int i = 0; i < 64; i++) {
		snprintf(many[i], sizeof(many[i]), "k%d", i);
		assert_true(rootly__strmap_reserve(&m, 1));
		rootly__strmap_put(&m, many[i], &vals[i]);
		assert_ptr_equal(rootly__strmap_get(&m, "alpha"), &a);
	}
	for (int i = 0; i < 64; i++)
		assert_ptr_equal(rootly__strmap_get(&m, many[i]), &vals[i]);
	rootly__strmap_dispose(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_remembered_slot_other_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
