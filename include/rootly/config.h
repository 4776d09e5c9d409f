/**
 * @file rootly/config.h
 * @brief The configuration document: loading, validation and its report.
 *
 * One document, YAML or JSON with the same schema (docs/configuration.md),
 * declares sources and their secrets, routing rules, silences, severities,
 * roles and alert behaviour; services, teams, users, schedules, escalation
 * policies and workflows are reserved sections (accepted as they are for
 * now). A document is checked whole when it is loaded: either every value
 * is valid and a rootly_config is returned, or nothing is, and the report
 * lists every problem found, each with its path in the document
 * (`routes[3].match.severity`), line and column.
 *
 * A loaded rootly_config is immutable. Thread: loading and the report
 * functions may run on any thread; one rootly_config may be read by any
 * number of threads at once.
 */
#ifndef INCLUDE_rootly_config_h__
#define INCLUDE_rootly_config_h__

#include "common.h"

ROOTLY_BEGIN_DECL

/** A validated configuration (opaque). */
typedef struct rootly_config rootly_config;

/** The problems found in a document (opaque). */
typedef struct rootly_config_report rootly_config_report;

/** One problem. All members are borrowed from the report. */
typedef struct rootly_config_error {
	/** Where in the document: `sources.grafana.auth.secrets`,
	 *  `routes[3].match.severity`, `sources["my-source"].type`; "" for
	 *  the document as a whole (a syntax error, an empty file). */
	const char *path;
	unsigned int line;    /**< 1-based; 0 when unknown */
	unsigned int column;  /**< 1-based, in characters; 0 when unknown */
	const char *message;  /**< e.g. `unknown operator "==" (expected =, !=, =~ or !~)` */
} rootly_config_error;

/** Largest document accepted, in bytes. */
#define ROOTLY_CONFIG_MAX_BYTES (4u * 1024u * 1024u)
/** A report keeps at most this many problems (and says how many more). */
#define ROOTLY_CONFIG_MAX_ERRORS 200

/**
 * Load and validate the file at `path`. The format follows the extension
 * (.json is JSON, .yaml and .yml are YAML), else it is sniffed as in
 * rootly_config_load_buffer.
 *
 * @param out     set to the configuration on success (rootly_config_free),
 *                NULL otherwise.
 * @param report  may be NULL. Set whenever the document could be read:
 *                on success (an empty report) and on ROOTLY_EINVALID (the
 *                problems, in document order); NULL on other failures.
 *                Free with rootly_config_report_free. Its entries name the
 *                file when printed with rootly_config_report_to_text.
 * @return 0; ROOTLY_EINVALID (the document has problems: see the report;
 *         the thread's error message gives their number and the first);
 *         ROOTLY_ENOTFOUND (no such file); ROOTLY_EIO (unreadable, or
 *         larger than ROOTLY_CONFIG_MAX_BYTES); ROOTLY_ENOMEM.
 */
ROOTLY_EXTERN(rootly_status) rootly_config_load_file(rootly_config **out, const char *path,
	rootly_config_report **report);

/**
 * Load and validate a document held in memory (`len` bytes, no NUL needed).
 * @param format  "yaml", "json", or NULL to sniff: JSON when the first
 *                character other than white space (and a UTF-8 BOM) is '{',
 *                YAML otherwise.
 * Same ownership and returns as rootly_config_load_file; an unknown format
 * is ROOTLY_EINVALID with no report.
 */
ROOTLY_EXTERN(rootly_status) rootly_config_load_buffer(rootly_config **out, const char *text,
	size_t len, const char *format, rootly_config_report **report);

/** Free a configuration. NULL is allowed. */
ROOTLY_EXTERN(void) rootly_config_free(rootly_config *cfg);

/** Number of routing rules, silences and configured sources. */
ROOTLY_EXTERN(size_t) rootly_config_routes_count(const rootly_config *cfg);
ROOTLY_EXTERN(size_t) rootly_config_silences_count(const rootly_config *cfg);
ROOTLY_EXTERN(size_t) rootly_config_sources_count(const rootly_config *cfg);

/** Number of problems in the report (0 for a valid document). */
ROOTLY_EXTERN(size_t) rootly_config_report_count(const rootly_config_report *report);

/** The i-th problem, ordered by line and column; NULL if out of range. */
ROOTLY_EXTERN(const rootly_config_error *) rootly_config_report_at(
	const rootly_config_report *report, size_t i);

/**
 * The report as text, one problem per line:
 * `FILE:LINE:COL: PATH: MESSAGE` (FILE only when loaded from a file; the
 * `PATH: ` part only when the path is not empty). "" for an empty report.
 * @param out  a new string (free with rootly_free).
 * @return 0, ROOTLY_EINVALID (NULL report), ROOTLY_ENOMEM.
 */
ROOTLY_EXTERN(rootly_status) rootly_config_report_to_text(char **out,
	const rootly_config_report *report);

/** Free a report. NULL is allowed. */
ROOTLY_EXTERN(void) rootly_config_report_free(rootly_config_report *report);

ROOTLY_END_DECL

#endif
