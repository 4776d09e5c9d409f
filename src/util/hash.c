#include "util/hash.h"

#include <openssl/evp.h>

struct rootly_sha256 { EVP_MD_CTX *md; };

#include <pthread.h>

#include "rootly/sys/alloc.h"

/* EVP_sha256() makes OpenSSL 3 look the implementation up again at every
 * DigestInit; every timeline event is hashed, so fetch it once. */
static pthread_once_t g_md_once = PTHREAD_ONCE_INIT;
static EVP_MD *g_md;

static void fetch_md(void)
{
	g_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256_md(void)
{
	pthread_once(&g_md_once, fetch_md);
	return g_md ? g_md : EVP_sha256();
}

rootly_sha256 *rootly_sha256_new(void)
{
	rootly_sha256 *h = rootly_malloc(sizeof(*h));
	if (!h)
		return NULL;
	h->md = EVP_MD_CTX_new();
	if (!h->md || EVP_DigestInit_ex(h->md, sha256_md(), NULL) != 1) {
		EVP_MD_CTX_free(h->md);
		rootly_free(h);
		return NULL;
	}
	return h;
}

bool rootly_sha256_update(rootly_sha256 *h, const void *data, size_t len)
{
	return EVP_DigestUpdate(h->md, data, len) == 1;
}

bool rootly_sha256_final_hex(rootly_sha256 *h, char out[ROOTLY_HASH_HEX_LEN + 1])
{
	unsigned char md[32];
	unsigned int n = 0;
	bool ok = EVP_DigestFinal_ex(h->md, md, &n) == 1 && n == 32;
	static const char hex[] = "0123456789abcdef";
	for (unsigned i = 0; ok && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[ok ? 64 : 0] = '\0';
	rootly_sha256_free(h);
	return ok;
}

void rootly_sha256_free(rootly_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->md);
	rootly_free(h);
}
