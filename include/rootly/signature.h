/**
 * @file rootly/signature.h
 * @brief Webhook signature checks: Slack v0, PagerDuty v3, Grafana, generic
 *        HMAC-SHA256, and Amazon SNS.
 *
 * Call these on the raw request bytes, before any parsing or decoding: a
 * signature covers the exact bytes that were sent, and nothing may trust a
 * body before it is verified. MACs are compared in constant time
 * (CRYPTO_memcmp) after strict hex decoding; hex digits may be upper or
 * lower case. The expected value never appears in an error message.
 *
 * Every function here is pure (no context, no global state): Thread: any.
 * See docs/signatures.md for the header formats and what the caller must
 * still do (body size limits, delivery-id replay cache, SNS certificates).
 */
#ifndef INCLUDE_rootly_signature_h__
#define INCLUDE_rootly_signature_h__

#include "common.h"

ROOTLY_BEGIN_DECL

/** The signing conventions rootly_signature_verify knows. */
typedef enum rootly_signature_scheme {
	/** Slack request signing: `X-Slack-Request-Timestamp: <unix s>` and
	 *  `X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:" ts ":" body)>`. */
	ROOTLY_SIG_SLACK_V0 = 0,
	/** PagerDuty webhooks v3: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>...]`,
	 *  each an HMAC-SHA256(secret, body); any entry matching any secret
	 *  passes. No timestamp is signed, so there is no replay window. */
	ROOTLY_SIG_PAGERDUTY_V3 = 1,
	/** Grafana webhook contact point: `X-Grafana-Alerting-Signature:
	 *  <hex HMAC-SHA256(secret, body)>`, or over `ts ":" body` when a
	 *  timestamp header is configured (options.timestamp_header). */
	ROOTLY_SIG_GRAFANA = 2,
	/** Generic: options.header carries options.prefix then the hex
	 *  HMAC-SHA256(secret, body), or over `ts ":" body` when
	 *  options.timestamp_header is set (e.g. GitHub: header
	 *  "X-Hub-Signature-256", prefix "sha256="). */
	ROOTLY_SIG_HMAC_SHA256 = 3
} rootly_signature_scheme;

/** Secrets accepted at once: the current one and, during a rotation, the
 *  previous one. */
#define ROOTLY_SIGNATURE_MAX_SECRETS 2
/** Replay window used when options.tolerance_ms is 0 (5 minutes). */
#define ROOTLY_SIGNATURE_DEFAULT_TOLERANCE_MS 300000
/** Longest signature or timestamp header value read (after trimming). */
#define ROOTLY_SIGNATURE_MAX_HEADER 2048
/** Most entries read from one PagerDuty signature header. */
#define ROOTLY_SIGNATURE_MAX_ENTRIES 16

#define ROOTLY_SIGNATURE_OPTIONS_VERSION 1

/** How to check (or produce) one webhook's signature. Borrowed for the call. */
typedef struct rootly_signature_options {
	unsigned int version;           /**< ROOTLY_SIGNATURE_OPTIONS_VERSION */
	rootly_signature_scheme scheme;
	/** 1 or 2 non-empty secrets, used as raw key bytes. Verification
	 *  accepts a signature made with any of them (rotation); signing uses
	 *  secrets[0], except PagerDuty which signs with each (as PagerDuty
	 *  does during a rotation). List the current secret first. */
	const char *const *secrets;
	size_t secrets_count;
	/** Signature header name (compared case-insensitively). NULL: the
	 *  scheme's own ("X-Slack-Signature", "X-PagerDuty-Signature",
	 *  "X-Grafana-Alerting-Signature"); required for the generic scheme. */
	const char *header;
	/** Timestamp header name. Slack: NULL means
	 *  "X-Slack-Request-Timestamp". Grafana and generic: NULL means no
	 *  timestamp is signed and there is no replay window. PagerDuty: must
	 *  be NULL. The header holds Unix seconds (decimal digits). */
	const char *timestamp_header;
	/** Replay window: a timestamp further than this from `now`, in the past
	 *  or the future, is refused. 0 means 300000 (5 minutes); negative is
	 *  invalid. The difference is taken in milliseconds. */
	int64_t tolerance_ms;
	/** Generic scheme only: text before the hex digits ("sha256=", "v1=");
	 *  NULL or "" for none. Must be NULL for the other schemes. */
	const char *prefix;
} rootly_signature_options;

#define ROOTLY_SIGNATURE_OPTIONS_INIT \
	{ ROOTLY_SIGNATURE_OPTIONS_VERSION, ROOTLY_SIG_SLACK_V0, NULL, 0, NULL, NULL, 0, NULL }

/** Initialise options to their defaults. @return 0 or ROOTLY_EINVALID. */
ROOTLY_EXTERN(rootly_status) rootly_signature_options_init(rootly_signature_options *o, unsigned int version);

/**
 * Verify a webhook request's signature over its raw body.
 *
 * `headers` are the request headers (names case-insensitive; a header the
 * scheme reads must appear once: a repeated one is refused). Values are
 * trimmed of surrounding spaces and tabs. `now` is the current time in
 * milliseconds since the epoch (>= 0), for the replay window.
 * Allocates nothing.
 *
 * @return 0 when the signature matches one of the secrets;
 *   ROOTLY_EAUTH when it does not, or a header is missing, repeated, too
 *   long or malformed, or the timestamp is outside the window (the message
 *   says which, and by how much; never the expected value);
 *   ROOTLY_EINVALID for bad arguments or options (unknown version or
 *   scheme, no or empty secrets, an option the scheme does not take);
 *   ROOTLY_ERROR if libcrypto fails.
 */
ROOTLY_EXTERN(rootly_status) rootly_signature_verify(const rootly_signature_options *o,
	const rootly_kv *headers, size_t headers_count,
	const char *body, size_t len, rootly_time now);

/**
 * Sign a body as the scheme's sender would, for tests and outbound
 * webhooks. *signature_out gets the signature header value ("v0=...",
 * "v1=...,v1=..." for PagerDuty with two secrets, the bare hex for
 * Grafana, prefix + hex for the generic scheme). When the scheme signs a
 * timestamp (Slack, or a timestamp_header is set), the timestamp is
 * now / 1000 (Unix seconds) and *timestamp_out, if timestamp_out is not
 * NULL, gets its header value; otherwise *timestamp_out is NULL.
 * The caller frees both with rootly_free. On failure both are NULL.
 * @return 0, ROOTLY_EINVALID, ROOTLY_ENOMEM, ROOTLY_ERROR (libcrypto).
 */
ROOTLY_EXTERN(rootly_status) rootly_signature_sign(char **signature_out, char **timestamp_out,
	const rootly_signature_options *o, const char *body, size_t len, rootly_time now);

/**
 * Amazon SNS HTTP(S) deliveries are signed with RSA over a canonical
 * "string to sign" built from the JSON envelope. Build it: for
 * `Notification` the keys Message, MessageId, Subject (only when present
 * and not null), Timestamp, TopicArn, Type; for `SubscriptionConfirmation`
 * and `UnsubscribeConfirmation` the keys Message, MessageId, SubscribeURL,
 * Timestamp, Token, TopicArn, Type; each written as "key\nvalue\n".
 * The body is read with the strict JSON reader (duplicate keys refused).
 * On success the caller frees *out with rootly_free; on failure it is NULL.
 * @return 0, ROOTLY_EINVALID (not an SNS envelope: the message names the
 *   field), ROOTLY_ENOMEM.
 */
ROOTLY_EXTERN(rootly_status) rootly_sns_string_to_sign(char **out, const char *body, size_t len);

/**
 * The envelope's SigningCertURL, once checked: https, host
 * sns.<region>.amazonaws.com (or .amazonaws.com.cn), no user, port, query
 * or fragment, path ending in ".pem". Fetching it (over verified TLS) is
 * the caller's job; the library does no network I/O. Caching the
 * certificate by URL is advised.
 * On success the caller frees *out with rootly_free; on failure it is NULL.
 * @return 0, ROOTLY_EAUTH (URL not an SNS certificate URL),
 *   ROOTLY_EINVALID (not an SNS envelope), ROOTLY_ENOMEM.
 */
ROOTLY_EXTERN(rootly_status) rootly_sns_signing_cert_url(char **out, const char *body, size_t len);

/**
 * Verify an SNS envelope's Signature (Base64) with the RSA public key of
 * `cert_pem` (a PEM X.509 certificate, `cert_len` bytes, the one at the
 * envelope's SigningCertURL): SignatureVersion "1" is SHA1withRSA, "2"
 * SHA256withRSA, both PKCS#1 v1.5. The certificate's key must be RSA of
 * at least 2048 bits. The certificate's chain and dates are not checked:
 * its authenticity comes from fetching it over TLS from a URL that
 * rootly_sns_signing_cert_url accepted.
 * @return 0, ROOTLY_EAUTH (signature does not verify), ROOTLY_EINVALID
 *   (malformed envelope, unknown SignatureVersion, bad Base64, unreadable
 *   or unsuitable certificate), ROOTLY_ENOMEM, ROOTLY_ERROR (libcrypto).
 */
ROOTLY_EXTERN(rootly_status) rootly_sns_verify(const char *body, size_t len,
	const char *cert_pem, size_t cert_len);

ROOTLY_END_DECL

#endif
