/*
 * Internals of the signature checks (include/rootly/signature.h). Verify
 * paths allocate nothing: header values are read in place and MACs live
 * in fixed buffers, so a check cannot fail for lack of memory and costs
 * the HMAC and little more.
 */
#ifndef ROOTLY_SRC_SIG_SIG_H
#define ROOTLY_SRC_SIG_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/common.h"
#include "rootly/signature.h"

#define ROOTLY_SIG_MAC_LEN 32
#define ROOTLY_SIG_HEX_LEN (2 * ROOTLY_SIG_MAC_LEN)
/* Unix seconds: up to 12 digits (year 33658), so ms fit in int64 easily. */
#define ROOTLY_SIG_MAX_TS_DIGITS 12

/* One piece of the signed message; pieces are MACed back to back, so a
 * prefix never needs a copy of the (possibly large) body. */
typedef struct rootly_sig_part {
	const void *data;
	size_t len;
} rootly_sig_part;

/* hmac.c: HMAC-SHA256 over the concatenated parts. 0 or ROOTLY_ERROR. */
int rootly__hmac_sha256(unsigned char out[ROOTLY_SIG_MAC_LEN], const char *key, size_t keylen,
	const rootly_sig_part *parts, size_t nparts);

/* hex.c. Decode exactly 2*outlen hex digits (either case); false on any
 * other length or character. Encoding is lowercase and NUL-terminates
 * (out has 2*len+1 bytes). */
bool rootly__hex_decode(unsigned char *out, size_t outlen, const char *hex, size_t hexlen);
void rootly__hex_encode(char *out, const unsigned char *in, size_t len);

/* headers.c. A header value, trimmed of spaces and tabs, not copied. */
typedef struct rootly_sig_value {
	const char *ptr;
	size_t len;
	bool present;
} rootly_sig_value;

/* Find `name` (ASCII case-insensitive). Absent: *out has present=false and
 * this returns 0 unless `required` (then ROOTLY_EAUTH). A repeated or
 * over-long header is ROOTLY_EAUTH; a NULL key or value ROOTLY_EINVALID. */
int rootly__sig_header(rootly_sig_value *out, const rootly_kv *headers, size_t count,
	const char *name, bool required);

/* Parse a Unix-seconds timestamp header and check it against now and the
 * window. ROOTLY_EAUTH with the distance when outside. */
int rootly__sig_timestamp(const rootly_sig_value *ts, const char *name,
	int64_t now_ms, int64_t tolerance_ms);

/* Compare one MAC against a list of n back-to-back MACs (expected against received signatures,
 * or the other way round) with CRYPTO_memcmp, all of them whatever
 * matches. True when any matches. */
bool rootly__sig_match(const unsigned char *mac, const unsigned char *list, size_t n);

/* What differs between the single-signature schemes (Slack, Grafana,
 * generic): header names, the text before the hex digits, and how the
 * timestamp is framed in the signed message. */
typedef struct rootly_sig_plan {
	const char *header;
	const char *timestamp_header; /* NULL: no timestamp signed */
	const char *prefix;           /* "" for none */
	const char *ts_lead;          /* before the timestamp: "v0:" or "" */
	const char *ts_sep;           /* between timestamp and body: ":" */
} rootly_sig_plan;

/* Validated options: the defaults applied, secrets counted and sized. */
typedef struct rootly_sig_opts {
	rootly_signature_scheme scheme;
	const char *secrets[ROOTLY_SIGNATURE_MAX_SECRETS];
	size_t secret_lens[ROOTLY_SIGNATURE_MAX_SECRETS];
	size_t nsecrets;
	int64_t tolerance_ms;
	rootly_sig_plan plan; /* for PagerDuty only header is used */
} rootly_sig_opts;

/* slack.c, grafana.c, generic.c: fill the plan; ROOTLY_EINVALID for an
 * option the scheme does not take. */
int rootly__sig_slack_plan(rootly_sig_plan *p, const rootly_signature_options *o);
int rootly__sig_grafana_plan(rootly_sig_plan *p, const rootly_signature_options *o);
int rootly__sig_generic_plan(rootly_sig_plan *p, const rootly_signature_options *o);
int rootly__sig_pagerduty_plan(rootly_sig_plan *p, const rootly_signature_options *o);

/* single.c: verify and sign for the plan-driven schemes. */
int rootly__sig_single_verify(const rootly_sig_opts *so, const rootly_kv *headers, size_t count,
	const char *body, size_t len, int64_t now);
int rootly__sig_single_sign(char **sig_out, char **ts_out, const rootly_sig_opts *so,
	const char *body, size_t len, int64_t now);

/* pagerduty.c */
int rootly__sig_pagerduty_verify(const rootly_sig_opts *so, const rootly_kv *headers, size_t count,
	const char *body, size_t len);
int rootly__sig_pagerduty_sign(char **sig_out, const rootly_sig_opts *so, const char *body, size_t len);

/* Raise ROOTLY_EAUTH / ROOTLY_EINVALID with the "signature: " prefix. */
int rootly__sig_auth_fail(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;
int rootly__sig_invalid(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

#endif
