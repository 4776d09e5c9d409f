/* SHA-256 (OpenSSL libcrypto) rendered as lowercase hex. */
#ifndef ROOTLY_SRC_UTIL_HASH_H
#define ROOTLY_SRC_UTIL_HASH_H

#include <stdbool.h>
#include <stddef.h>

#define ROOTLY_HASH_HEX_LEN 64

typedef struct rootly_sha256 rootly_sha256;

/* Incremental hashing; returns NULL / false on allocation failure. */
rootly_sha256 *rootly_sha256_new(void);
bool rootly_sha256_update(rootly_sha256 *h, const void *data, size_t len);
/* Writes 64 hex chars + NUL into out and frees h. */
bool rootly_sha256_final_hex(rootly_sha256 *h, char out[ROOTLY_HASH_HEX_LEN + 1]);
void rootly_sha256_free(rootly_sha256 *h);

#endif
