/* The library's own JSON writer and reader (src/util/jsondump.c,
 * src/util/jsonread.c), pinned byte for byte.
 *
 * The writer's output is hashed into the timeline chain, so any change to
 * it (an escape written differently, a number formatted differently)
 * breaks verification of every existing database: these texts are the
 * contract, not a description of the current code. The reader's messages
 * name the position and the fault; callers and users see them, so they
 * are pinned too, for each check the reader makes. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/common.h"
#include "rootly_test.h"
#include "util/jsondump.h"
#include "util/jsonread.h"

static void expect_dump(const json_t *v, size_t flags, const char *want, size_t want_len)
{
	char *got = rootly__json_dump(v, flags);
	assert_non_null(got);
	if (strlen(got) != want_len || memcmp(got, want, want_len) != 0)
		fail_msg("dump differs:\n got  %s\n want %.*s", got, (int)want_len, want);
	rootly_free(got);
}
#define EXPECT_DUMP(v, flags, literal) expect_dump((v), (flags), (literal), sizeof(literal) - 1)

/* Every byte below 0x20: the four with short escapes JSON requires of us
 * (\t \n \r) written short, every other control byte as \u00xx in lower
 * case -- including \b and \f, which this writer has always spelt out. */
static void test_dump_control_bytes(void **state)
{
	(void)state;
	char s[33];
	for (int i = 1; i < 32; i++)
		s[i - 1] = (char)i;
	s[31] = 0x7f; /* DEL is not escaped */
	json_t *v = json_stringn(s, 32);
	assert_non_null(v);
	EXPECT_DUMP(v, 0,
		"\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\u0008\\t\\n\\u000b\\u000c\\r"
		"\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019"
		"\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\x7f\"");
	json_decref(v);
}

/* Quotes and backslashes anywhere in a long run (the writer scans eight
 * bytes at a time: escapes at every offset of a word, and in the tail). */
static void test_dump_escapes_at_every_offset(void **state)
{
	(void)state;
	/* up to 40: two 16-byte blocks and every tail after them (and the
	 * 4-7 and 8-16 byte strings written as two overlapping words); each
	 * kind of escape, and a byte just above the control range */
	static const char specials[] = { '"', '\\', '\x01', '\x1f', '\n', ' ' };
	for (size_t len = 0; len <= 40; len++) {
		for (size_t at = 0; at < len; at++) {
			for (size_t k = 0; k < sizeof(specials); k++) {
				char s[48], want[300];
				memset(s, 'a', len);
				s[at] = specials[k];
				size_t o = 0;
				want[o++] = '"';
				for (size_t i = 0; i < len; i++) {
					if (s[i] == '"' || s[i] == '\\') {
						want[o++] = '\\';
						want[o++] = s[i];
					} else if (s[i] == '\n') {
						want[o++] = '\\';
						want[o++] = 'n';
					} else if ((unsigned char)s[i] < 0x20) {
						o += (size_t)snprintf(want + o, sizeof(want) - o, "\\u%04x", (unsigned)s[i]);
					} else {
						want[o++] = s[i];
					}
				}
				want[o++] = '"';
				json_t *v = json_stringn(s, len);
				assert_non_null(v);
				expect_dump(v, 0, want, o);
				json_decref(v);
			}
		}
	}
}

/* Non-ASCII UTF-8 passes through as it is: no \u escapes, not even for
 * U+2028/U+2029 (valid in JSON; JavaScript's old rule is not ours), and
 * '/' is not escaped. */
static void test_dump_utf8_passthrough(void **state)
{
	(void)state;
	json_t *v = json_pack("{s:s}", "k\xc3\xa9y",
		"caf\xc3\xa9 \xe2\x80\xa8 \xe2\x80\xa9 \xf0\x9f\x94\xa5 a/b \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\"\\");
	assert_non_null(v);
	EXPECT_DUMP(v, 0,
		"{\"k\xc3\xa9y\":\"caf\xc3\xa9 \xe2\x80\xa8 \xe2\x80\xa9 \xf0\x9f\x94\xa5 a/b "
		"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\\\"\\\\\"}");
	json_decref(v);
}

static void test_dump_numbers(void **state)
{
	(void)state;
	json_t *v = json_pack("[I,I,I,I,I,I,I,I,I]", (json_int_t)0, (json_int_t)-1, (json_int_t)7,
		(json_int_t)10, (json_int_t)-99, (json_int_t)1234567890123LL, (json_int_t)INT64_MAX,
		(json_int_t)INT64_MIN, (json_int_t)-1000000000000000000LL);
	assert_non_null(v);
	EXPECT_DUMP(v, 0,
		"[0,-1,7,10,-99,1234567890123,9223372036854775807,-9223372036854775808,-1000000000000000000]");
	json_decref(v);

	/* %.17g, and ".0" when that would read as an integer. */
	v = json_pack("[f,f,f,f,f,f,f,f]", 0.0, -0.0, 1.5, 2.0, 0.1, -1e300, 1e21, 123456789.0);
	assert_non_null(v);
	EXPECT_DUMP(v, 0,
		"[0.0,-0.0,1.5,2.0,0.10000000000000001,-1.0000000000000001e+300,1e+21,123456789.0]");
	json_decref(v);
}

/* Nesting, empty containers, literals, insertion order kept, and key
 * order with JSON_SORT_KEYS (byte order; keys that need escapes too). */
static void test_dump_nesting_and_order(void **state)
{
	(void)state;
	json_t *v = json_pack("{s:{s:[{},[],[n,b,b]],s:s},s:s,s:i,s:{}}", "z",
		"b\"q", 1, 0, "a\n", "", "x", "a", "a", 1, "m");
	assert_non_null(v);
	EXPECT_DUMP(v, 0, "{\"z\":{\"b\\\"q\":[{},[],[null,true,false]],\"a\\n\":\"\"},\"x\":\"a\",\"a\":1,\"m\":{}}");
	EXPECT_DUMP(v, JSON_SORT_KEYS,
		"{\"a\":1,\"m\":{},\"x\":\"a\",\"z\":{\"a\\n\":\"\",\"b\\\"q\":[{},[],[null,true,false]]}}");
	json_decref(v);
	EXPECT_DUMP(NULL, 0, "null");
}

/* Long strings: runs longer than the first reservation, escapes late in
 * the text (the writer grows its buffer mid-string). */
static void test_dump_long_strings(void **state)
{
	(void)state;
	size_t n = 5000;
	char *s = malloc(n);
	char *want = malloc(2 * n + 3);
	assert_non_null(s);
	assert_non_null(want);
	size_t o = 0;
	want[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		s[i] = i % 997 == 996 ? '\n' : (char)('a' + i % 26);
		if (s[i] == '\n') {
			want[o++] = '\\';
			want[o++] = 'n';
		} else {
			want[o++] = s[i];
		}
	}
	want[o++] = '"';
	json_t *v = json_stringn(s, n);
	assert_non_null(v);
	expect_dump(v, 0, want, o);
	json_decref(v);

	/* The stream writers write the same text. */
	rootly_buf b = ROOTLY_BUF_INIT;
	rootly__json_put_stringn(&b, s, n);
	rootly__json_put_raw(&b, ",", 1);
	rootly__json_put_string(&b, "\x01\xe2\x80\xa8");
	rootly__json_put_raw(&b, ",", 1);
	rootly__json_put_string(&b, NULL);
	rootly__json_put_raw(&b, ",", 1);
	rootly__json_put_int(&b, INT64_MIN);
	char *got = rootly_buf_detach(&b);
	assert_non_null(got);
	assert_int_equal(strlen(got), o + strlen(",\"\\u0001\xe2\x80\xa8\",null,-9223372036854775808"));
	assert_memory_equal(got, want, o);
	assert_string_equal(got + o, ",\"\\u0001\xe2\x80\xa8\",null,-9223372036854775808");
	rootly_free(got);
	free(s);
	free(want);
}

/* Reading then writing gives back the canonical text. */
static void test_read_round_trip(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ " {\"a\" : [1, -2, 3.25, 1e2, -0, true, false, null], \"b\":{}} ",
			"{\"a\":[1,-2,3.25,100.0,0,true,false,null],\"b\":{}}" },
		{ "\"\\u00e9\\ud83d\\udd25\\\"\\\\\\/\\b\\f\\n\\r\\t\\u2028\"",
			"\"\xc3\xa9\xf0\x9f\x94\xa5\\\"\\\\/\\u0008\\u000c\\n\\r\\t\xe2\x80\xa8\"" },
		{ "{\"k\\u0041\":\"v\",\"kB\":\"w\"}", "{\"kA\":\"v\",\"kB\":\"w\"}" },
		{ "[9223372036854775807,-9223372036854775808]", "[9223372036854775807,-9223372036854775808]" },
		{ "\"abcdefghijklmnopqrstuvwxyz \xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5 0123456789\"",
			"\"abcdefghijklmnopqrstuvwxyz \xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5 0123456789\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *v = NULL;
		rt_ok(rootly__json_read("t", cases[i].in, strlen(cases[i].in), &v));
		char *got = rootly__json_dump(v, 0);
		assert_non_null(got);
		assert_string_equal(got, cases[i].out);
		rootly_free(got);
		json_decref(v);
	}
}

/* Each check the reader makes, with its message (what, line, column,
 * byte, fault) exactly. */
static void test_read_errors(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t len; /* 0: strlen */
		const char *msg;
	} cases[] = {
		{ "", 0, "T: invalid JSON at line 1, column 1 (byte 0): empty input" },
		{ "{\"a\":1,\"a\":2}", 0, "T: invalid JSON at line 1, column 8 (byte 7): duplicate object key \"a\"" },
		{ "{\"a\":1,\"a\":[}", 0, "T: invalid JSON at line 1, column 8 (byte 7): duplicate object key \"a\"" },
		{ "{\"k\\u0041\":1,\"kA\":2}", 0,
			"T: invalid JSON at line 1, column 14 (byte 13): duplicate object key \"kA\"" },
		{ "{\"a\":1,\n \"b\" 2}", 0, "T: invalid JSON at line 2, column 6 (byte 13): expected ':' after an object key, got '2'" },
		{ "{\"a\":1 \"b\":2}", 0, "T: invalid JSON at line 1, column 8 (byte 7): expected ',' or '}', got '\"'" },
		{ "{1:2}", 0, "T: invalid JSON at line 1, column 2 (byte 1): expected a string (an object key), got '1'" },
		{ "[1 2]", 0, "T: invalid JSON at line 1, column 4 (byte 3): expected ',' or ']', got '2'" },
		{ "[1,", 0, "T: invalid JSON at line 1, column 3 (byte 2): premature end of input" },
		{ "\"abc", 0, "T: invalid JSON at line 1, column 4 (byte 3): premature end of input" },
		{ "\"ab\x01\"", 0, "T: invalid JSON at line 1, column 4 (byte 3): control character 0x01 in a string" },
		{ "\"abcdefghij\x1f\"", 0, "T: invalid JSON at line 1, column 12 (byte 11): control character 0x1f in a string" },
		{ "\"\\x\"", 0, "T: invalid JSON at line 1, column 3 (byte 2): invalid escape '\\x'" },
		{ "\"\\u12g4\"", 0, "T: invalid JSON at line 1, column 2 (byte 1): invalid \\u escape" },
		{ "\"\\u0000\"", 0, "T: invalid JSON at line 1, column 2 (byte 1): \\u0000 is not allowed in a string" },
		{ "\"\\udc00\"", 0, "T: invalid JSON at line 1, column 2 (byte 1): unpaired surrogate \\uDC00" },
		{ "\"\\ud800x\"", 0, "T: invalid JSON at line 1, column 2 (byte 1): unpaired surrogate \\uD800" },
		{ "\"abcdefgh\xc3\x28\"", 0, "T: invalid JSON at line 1, column 10 (byte 9): invalid UTF-8 (byte 0xc3)" },
		{ "\"\xe0\x80\x80\"", 0, "T: invalid JSON at line 1, column 2 (byte 1): invalid UTF-8 (byte 0xe0)" },
		{ "\"\xed\xa0\x80\"", 0, "T: invalid JSON at line 1, column 2 (byte 1): invalid UTF-8 (byte 0xed)" },
		{ "\"\xf4\x90\x80\x80\"", 0, "T: invalid JSON at line 1, column 2 (byte 1): invalid UTF-8 (byte 0xf4)" },
		{ "\"\xc3", 0, "T: invalid JSON at line 1, column 2 (byte 1): invalid UTF-8 (byte 0xc3)" },
		{ "\"a\0b\"", 5, "T: invalid JSON at line 1, column 3 (byte 2): control character 0x00 in a string" },
		{ "\xff", 0, "T: invalid JSON at line 1, column 1 (byte 0): invalid UTF-8 (byte 0xff)" },
		{ "01", 0, "T: invalid JSON at line 1, column 1 (byte 0): invalid number (leading zero)" },
		{ "1.", 0, "T: invalid JSON at line 1, column 2 (byte 1): premature end of input" },
		{ "1.x", 0, "T: invalid JSON at line 1, column 3 (byte 2): invalid number (digit expected after '.')" },
		{ "1e+", 0, "T: invalid JSON at line 1, column 3 (byte 2): premature end of input" },
		{ "1ex", 0, "T: invalid JSON at line 1, column 3 (byte 2): invalid number (digit expected in the exponent)" },
		{ "-", 0, "T: invalid JSON at line 1, column 1 (byte 0): premature end of input" },
		{ "-a", 0, "T: invalid JSON at line 1, column 2 (byte 1): invalid number" },
		{ "9223372036854775808", 0, "T: invalid JSON at line 1, column 1 (byte 0): integer too big" },
		{ "-9223372036854775809", 0, "T: invalid JSON at line 1, column 1 (byte 0): integer too big" },
		{ "1e400", 0, "T: invalid JSON at line 1, column 1 (byte 0): real number overflow" },
		{ "tru", 0, "T: invalid JSON at line 1, column 3 (byte 2): premature end of input" },
		{ "nul!", 0, "T: invalid JSON at line 1, column 4 (byte 3): invalid literal (expected 'null')" },
		{ "[] x", 0, "T: invalid JSON at line 1, column 4 (byte 3): expected the end of the input after the JSON value, got 'x'" },
		{ "@", 0, "T: invalid JSON at line 1, column 1 (byte 0): expected a JSON value, got '@'" },
		{ "\"\xc3\xa9\" \x01", 0,
			"T: invalid JSON at line 1, column 5 (byte 5): expected the end of the input after the JSON value, got byte 0x01" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		json_t *v = (json_t *)1;
		int rc = rootly__json_read("T", cases[i].in, len, &v);
		if (rc != ROOTLY_EINVALID)
			fail_msg("case %zu: rc %d, want ROOTLY_EINVALID", i, rc);
		assert_null(v);
		if (strcmp(rootly_error_last()->message, cases[i].msg) != 0)
			fail_msg("case %zu:\n got  %s\n want %s", i, rootly_error_last()->message, cases[i].msg);
	}
}

/* The reader scans strings eight bytes at a time: an escape, a control
 * byte, a multi-byte character or the closing quote at every offset of a
 * word, with more input after the string or none. */
static void test_read_special_byte_at_every_offset(void **state)
{
	(void)state;
	/* up to 40: two 16-byte blocks and every tail after them */
	for (size_t len = 0; len <= 40; len++) {
		for (size_t at = 0; at <= len; at++) {
			for (int kind = 0; kind < 3; kind++) {
				char in[96], want[96];
				size_t n = 0, w = 0;
				in[n++] = '"';
				want[w++] = '"';
				for (size_t i = 0; i < len; i++) {
					if (i == at && kind == 0) {
						memcpy(in + n, "\\n", 2);
						n += 2;
						memcpy(want + w, "\\n", 2);
						w += 2;
					} else if (i == at && kind == 1) {
						memcpy(in + n, "\xc3\xa9", 2);
						n += 2;
						memcpy(want + w, "\xc3\xa9", 2);
						w += 2;
					} else {
						in[n++] = (char)('a' + i % 26);
						want[w++] = (char)('a' + i % 26);
					}
				}
				in[n++] = '"';
				want[w++] = '"';
				size_t body = n;
				memcpy(in + n, " ,        ", 10); /* trailing junk: more than a word after the string */
				json_t *v = NULL;
				rt_ok(rootly__json_read("T", in, body, &v));
				char *got = rootly__json_dump(v, 0);
				assert_non_null(got);
				assert_int_equal(strlen(got), w);
				assert_memory_equal(got, want, w);
				rootly_free(got);
				json_decref(v);
				assert_int_equal(rootly__json_read("T", in, body + 10, &v), ROOTLY_EINVALID);
				char msg[128];
				snprintf(msg, sizeof(msg), "(byte %zu): expected the end of the input after the JSON value, got ','", body + 1);
				assert_non_null(strstr(rootly_error_last()->message, msg));
				if (kind == 2 && at < len) {
					/* a control byte at `at`: reported there */
					in[1 + at] = 0x02;
					assert_int_equal(rootly__json_read("T", in, body + 10, &v), ROOTLY_EINVALID);
					snprintf(msg, sizeof(msg), "(byte %zu): control character 0x02 in a string", 1 + at);
					assert_non_null(strstr(rootly_error_last()->message, msg));
				}
			}
		}
	}
}

/* Duplicate keys are found wherever they are: among the first keys of an
 * object and after many, with keys of equal length, and when either copy
 * (or an earlier key) is written with an escape. */
static void test_read_duplicates_anywhere(void **state)
{
	(void)state;
	for (int n = 1; n <= 40; n++) {
		for (int first = 0; first < n; first++) {
			for (int esc = 0; esc < 4; esc++) {
				/* keys k00..k(n-1), then a second copy of k<first>; esc 1: the
				 * copy spelt with an escape, 2: the first one, 3: key 0 */
				char in[2048];
				size_t o = 0, dup_at = 0;
				in[o++] = '{';
				for (int i = 0; i <= n; i++) {
					int k = i < n ? i : first;
					bool escaped = (esc == 1 && i == n) || (esc == 2 && i == first) || (esc == 3 && i == 0);
					if (i)
						in[o++] = ',';
					if (i == n)
						dup_at = o;
					o += (size_t)snprintf(in + o, sizeof(in) - o, escaped ? "\"\\u006b%02d\":%d" : "\"k%02d\":%d", k, i);
				}
				in[o++] = '}';
				json_t *v = NULL;
				assert_int_equal(rootly__json_read("T", in, o, &v), ROOTLY_EINVALID);
				assert_null(v);
				char want[128];
				snprintf(want, sizeof(want), "(byte %zu): duplicate object key \"k%02d\"", dup_at, first);
				if (!strstr(rootly_error_last()->message, want))
					fail_msg("n %d first %d esc %d: %s, want %s", n, first, esc, rootly_error_last()->message, want);
				/* without the copy it reads */
				in[dup_at - 1] = '}';
				rt_ok(rootly__json_read("T", in, dup_at, &v));
				assert_int_equal(json_object_size(v), (size_t)n);
				json_decref(v);
			}
		}
	}
}

/* Nesting deeper than ROOTLY_JSON_MAX_DEPTH is refused before it is built. */
/* Cutting valid text at every byte of 1- to 4-byte characters: the trim
 * keeps exactly the whole characters. */
static void test_utf8_trim(void **state)
{
	(void)state;
	const char *text = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"; /* a é € 😀 z */
	const size_t whole[] = { 0, 1, 3, 6, 10, 11 }; /* where characters end */
	for (size_t n = 0; n <= strlen(text); n++) {
		size_t want = 0;
		for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
			if (whole[i] <= n)
				want = whole[i];
		assert_int_equal(rootly__utf8_trim(text, n), want);
	}
}

static void test_read_depth(void **state)
{
	(void)state;
	size_t n = ROOTLY_JSON_MAX_DEPTH + 1;
	char *s = malloc(2 * n);
	assert_non_null(s);
	memset(s, '[', n);
	memset(s + n, ']', n);
	json_t *v = NULL;
	assert_int_equal(rootly__json_read("T", s, 2 * n, &v), ROOTLY_EINVALID);
	assert_non_null(strstr(rootly_error_last()->message, "JSON nesting deeper than"));
	rt_ok(rootly__json_read("T", s + 1, 2 * n - 2, &v));
	json_decref(v);
	free(s);
}

/* Every allocation the reader makes is a failure point: each fails
 * cleanly with ROOTLY_ENOMEM, and without failures the same text reads. */
static void test_read_alloc_faults(void **state)
{
	(void)state;
	const char *text = "{\"labels\":{\"alertname\":\"Disk\",\"esc\\n\":\"a\\u00e9b\",\"n\":[1,2.5,\"x\"]},"
		"\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9}";
	for (uint64_t at = 1;; at++) {
		json_t *v = NULL;
		rootly_alloc_fault_arm(at, 0);
		int rc = rootly__json_read("T", text, strlen(text), &v);
		uint64_t seen = rootly_alloc_fault_arm(0, 0);
		if (rc == 0) {
			assert_true(seen < at);
			char *got = rootly__json_dump(v, JSON_SORT_KEYS);
			assert_non_null(got);
			assert_string_equal(got, "{\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,\"k9\":9,"
				"\"labels\":{\"alertname\":\"Disk\",\"esc\\n\":\"a\xc3\xa9" "b\",\"n\":[1,2.5,\"x\"]}}");
			rootly_free(got);
			json_decref(v);
			assert_true(at > 10);
			break;
		}
		assert_int_equal(rc, ROOTLY_ENOMEM);
		assert_null(v);
	}
}

int main(void)
{
	rootly__json_alloc_install();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_control_bytes),
		cmocka_unit_test(test_dump_escapes_at_every_offset),
		cmocka_unit_test(test_dump_utf8_passthrough),
		cmocka_unit_test(test_dump_numbers),
		cmocka_unit_test(test_dump_nesting_and_order),
		cmocka_unit_test(test_dump_long_strings),
		cmocka_unit_test(test_read_round_trip),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_read_special_byte_at_every_offset),
		cmocka_unit_test(test_read_duplicates_anywhere),
		cmocka_unit_test(test_read_depth), cmocka_unit_test(test_utf8_trim),
		cmocka_unit_test(test_read_alloc_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
