/**
 * @file rootly/sys/transport.h
 * @brief The transport vtable, for people who deliver outbox items to an
 *        outside service (a chat, a ticket tracker, a status page, ...).
 *
 * The dispatcher (rootly/outbox.h) hands a transport one item at a time,
 * outside any storage transaction, and records what the transport answers:
 * a result (merged into the incident), a retryable failure (retried with
 * backoff) or a permanent one. Delivery is at least once: after a crash the
 * same item (same idempotency key) may be handed over again, so a transport
 * passes the key on to destinations that accept one.
 *
 * A transport is tagged with the capabilities it serves (a bit set of
 * rootly_capability); an action "chat.post_message" needs ROOTLY_CAP_CHAT.
 *
 * Slots are only ever appended; the library reads no slot beyond `version`.
 * The library calls a transport from the context's thread only.
 */
#ifndef INCLUDE_rootly_sys_transport_h__
#define INCLUDE_rootly_sys_transport_h__

#include "../common.h"

ROOTLY_BEGIN_DECL

/** Capabilities (what kind of outside service a transport speaks to). */
typedef enum rootly_capability {
	ROOTLY_CAP_CHAT       = 1 << 0, /**< chat.create_channel, chat.invite, chat.post_message */
	ROOTLY_CAP_TICKET     = 1 << 1, /**< ticket.create */
	ROOTLY_CAP_STATUSPAGE = 1 << 2, /**< statuspage.upsert */
	ROOTLY_CAP_WEBHOOK    = 1 << 3, /**< webhook.call */
	ROOTLY_CAP_KB         = 1 << 4, /**< kb.lookup_runbook */
	ROOTLY_CAP_CONFERENCE = 1 << 5, /**< reserved: conference bridges */
	ROOTLY_CAP_PAGER      = 1 << 6, /**< reserved: paging */
	ROOTLY_CAP_ALL        = 0x7f
} rootly_capability;

/** One outbox item handed to a transport. Every member is borrowed for the
 *  duration of the call. */
typedef struct rootly_delivery {
	const char *item_id;         /**< the outbox item's id */
	const char *incident_id;
	const char *action;          /**< "chat.create_channel", ... */
	const char *params_json;     /**< parameters, a JSON object, placeholders resolved */
	const char *idempotency_key; /**< stable across retries of this item */
	int attempt;                 /**< 1 for the first delivery */
} rootly_delivery;

/** What a delivery came to. */
typedef enum rootly_delivery_outcome {
	ROOTLY_DELIVERY_OK = 0,        /**< done; `result_json` may hold the result */
	ROOTLY_DELIVERY_RETRY = 1,     /**< failed; may succeed later (5xx, 429, timeout) */
	ROOTLY_DELIVERY_PERMANENT = 2  /**< failed; retrying cannot help (4xx, bad params) */
} rootly_delivery_outcome;

/** A transport's answer, filled by the `deliver` slot. */
typedef struct rootly_delivery_result {
	int outcome;                 /**< a rootly_delivery_outcome */
	/** The result, a JSON object, allocated with rootly_malloc; the library
	 *  frees it. NULL for none. See docs/outbox.md for each action's shape. */
	char *result_json;
	/** For failures: why, for the timeline (never a token or a secret). */
	char error[256];
	/** For RETRY: the destination asked to wait this long (Retry-After),
	 *  in ms; -1 when it did not say. */
	int64_t retry_after_ms;
	/** The last HTTP status seen, 0 if none. Informational. */
	int http_status;
} rootly_delivery_result;

typedef struct rootly_transport rootly_transport;

#define ROOTLY_TRANSPORT_VERSION 1

struct rootly_transport {
	unsigned int version;        /**< ROOTLY_TRANSPORT_VERSION; must be first */
	unsigned int capabilities;   /**< a bit set of rootly_capability */
	const char *name;            /**< for messages and the timeline: "slack", "record" */

	/**
	 * Deliver one item, synchronously. Fill `r` (already zeroed, with
	 * retry_after_ms = -1) and return 0; a negative return (say
	 * ROOTLY_ENOMEM) is taken as a retryable failure with the thread's
	 * last error as its reason. Required.
	 */
	rootly_status ROOTLY_CALLBACK(deliver)(rootly_transport *t, const rootly_delivery *d,
		rootly_delivery_result *r);

	/** Release everything, including `t` itself. Required. */
	void ROOTLY_CALLBACK(free)(rootly_transport *t);
};

/**
 * Zero `t` and set its version. Thread: any.
 * @return 0, or ROOTLY_EINVALID for an unknown version.
 */
ROOTLY_EXTERN(rootly_status) rootly_transport_init(rootly_transport *t, unsigned int version);

/**
 * Open a built-in transport by URI. The caller owns *out (hand it to
 * rootly_ctx_add_transport, or free it with out->free(out)).
 *  - "record:"       keeps every delivery in memory (inspect with
 *                    rootly_transport_record_count/_at) and answers with
 *                    made-up results (channel "CREC1", ticket "REC-1");
 *                    serves every capability. For tests and dry runs.
 *  - "file:PATH"     appends one JSON line per delivery to PATH (created
 *                    0600), answers like record:; every capability.
 *  - "slack:URL", "jira:URL", "statuspage:URL", "webhook:", "kb:URL"
 *                    HTTP over libcurl; URL is the API base
 *                    (https://slack.com/api, https://SITE.atlassian.net,
 *                    https://api.statuspage.io/v1); credentials come from
 *                    configuration (docs/transports.md) or, here, from the
 *                    environment: SLACK_TOKEN, JIRA_EMAIL + JIRA_TOKEN,
 *                    STATUSPAGE_TOKEN.
 * @return 0, ROOTLY_EINVALID (unknown scheme), ROOTLY_EIO (file cannot be
 *         opened), ROOTLY_ENOMEM. Thread: any.
 */
ROOTLY_EXTERN(rootly_status) rootly_transport_open(rootly_transport **out, const char *uri);

/** Deliveries a record: transport has seen (0 for another transport).
 *  Thread: the context's thread (not while it dispatches elsewhere). */
ROOTLY_EXTERN(size_t) rootly_transport_record_count(const rootly_transport *t);

/**
 * The i-th delivery a record: transport has seen, as JSON text
 * {"item","incident_id","action","params","idempotency_key","attempt"}.
 * Borrowed: valid until the transport is freed. NULL when out of range.
 * Thread: as rootly_transport_record_count.
 */
ROOTLY_EXTERN(const char *) rootly_transport_record_at(const rootly_transport *t, size_t i);

ROOTLY_END_DECL

#endif
