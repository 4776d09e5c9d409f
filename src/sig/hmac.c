/* HMAC-SHA256 through libcrypto's EVP_MAC (HMAC_CTX is deprecated in
 * OpenSSL 3). Parts are fed one after another, so "v0:" ts ":" body is
 * MACed without copying the body. */
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "sig/sig.h"

static int crypto_fail(const char *what)
{
	unsigned long e = ERR_get_error();
	char text[160] = "no detail";
	if (e)
		ERR_error_string_n(e, text, sizeof(text));
	/* Leave libcrypto's per-thread queue empty for the caller. */
	ERR_clear_error();
	return rootly__err(ROOTLY_ERROR, ROOTLY_ERROR_OS, 0, "signature: libcrypto %s failed: %s", what, text);
}

int rootly__hmac_sha256(unsigned char out[ROOTLY_SIG_MAC_LEN], const char *key, size_t keylen,
	const rootly_sig_part *parts, size_t nparts)
{
	/* Fetched per call rather than cached: no global state to initialise
	 * or tear down, and the fetch costs well under a microsecond against
	 * tens for a 64 KB body (bench/bench_signature.c). */
	EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	if (!mac)
		return crypto_fail("EVP_MAC_fetch(HMAC)");
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (!ctx)
		return crypto_fail("EVP_MAC_CTX_new");
	char digest[] = "SHA256";
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end()
	};
	int ok = EVP_MAC_init(ctx, (const unsigned char *)key, keylen, params);
	for (size_t i = 0; ok && i < nparts; i++)
		if (parts[i].len)
			ok = EVP_MAC_update(ctx, parts[i].data, parts[i].len);
	size_t outlen = 0;
	if (ok)
		ok = EVP_MAC_final(ctx, out, &outlen, ROOTLY_SIG_MAC_LEN);
	EVP_MAC_CTX_free(ctx);
	if (!ok || outlen != ROOTLY_SIG_MAC_LEN)
		return crypto_fail("HMAC-SHA256");
	return 0;
}
