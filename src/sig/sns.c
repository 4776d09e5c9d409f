/*
 * Amazon SNS message signatures (AWS "Verifying the signature of an Amazon
 * SNS message"): RSA PKCS#1 v1.5 over a canonical string built from the
 * envelope, SHA1 for SignatureVersion "1", SHA256 for "2". The signature
 * sits inside the JSON, so unlike the HMAC schemes the body is parsed
 * first, with the strict reader: a duplicate key could otherwise make the
 * signed value and the value acted upon differ.
 */
#include <limits.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "alert/jsoncheck.h"
#include "sig/sig.h"
#include "util/buf.h"

#define SNS_WHAT "sns message"
/* SNS messages are at most 256 KB; JSON escaping can double that. */
#define SNS_MAX_BODY (1024 * 1024)
#define SNS_MAX_SIGNATURE_B64 2048
#define SNS_MAX_CERT (64 * 1024)
#define SNS_MAX_URL 1024
#define SNS_MIN_RSA_BITS 2048

/* Keys in the order AWS writes them; Subject only for Notification. */
static const char *const k_notification[] = {
	"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"
};
static const char *const k_confirmation[] = {
	"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"
};

typedef struct envelope {
	json_t *root;
	const char *const *keys;
	size_t nkeys;
} envelope;

static int envelope_read(envelope *env, const char *body, size_t len)
{
	env->root = NULL;
	if (len > SNS_MAX_BODY)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INPUT, 0,
			SNS_WHAT ": body of %zu bytes is larger than %d", len, SNS_MAX_BODY);
	ROOTLY_TRY(rootly__json_parse_input(SNS_WHAT, body, len, &env->root));
	rootly_jcheck c;
	rootly__jcheck_init(&c, SNS_WHAT);
	const char *type = NULL;
	if (!json_is_object(env->root))
		rootly__jcheck_add(&c, NULL, "expected an object, got %s", rootly__json_type_name(env->root));
	else
		rootly__jcheck_string(&c, env->root, "", "Type", true, &type);
	if (type) {
		if (strcmp(type, "Notification") == 0) {
			env->keys = k_notification;
			env->nkeys = ROOTLY_ARRAY_SIZE(k_notification);
		} else if (strcmp(type, "SubscriptionConfirmation") == 0 || strcmp(type, "UnsubscribeConfirmation") == 0) {
			env->keys = k_confirmation;
			env->nkeys = ROOTLY_ARRAY_SIZE(k_confirmation);
		} else {
			char q[64];
			rootly__quote(q, sizeof(q), type);
			rootly__jcheck_add(&c, "Type", "expected \"Notification\", \"SubscriptionConfirmation\" "
				"or \"UnsubscribeConfirmation\", got %s", q);
		}
	}
	int rc = rootly__jcheck_raise(&c);
	if (rc < 0) {
		json_decref(env->root);
		env->root = NULL;
	}
	return rc;
}

/* The signed keys' values, in order; NULL for a Subject that is absent or
 * null (AWS omits it when the publisher set none). Every other key must
 * be a string. */
static int signed_values(const envelope *env, json_t *values[])
{
	rootly_jcheck c;
	rootly__jcheck_init(&c, SNS_WHAT);
	for (size_t i = 0; i < env->nkeys; i++) {
		const char *key = env->keys[i], *s;
		values[i] = json_object_get(env->root, key);
		if (strcmp(key, "Subject") == 0 && (!values[i] || json_is_null(values[i])))
			values[i] = NULL;
		else if (!rootly__jcheck_string(&c, env->root, "", key, true, &s))
			values[i] = NULL;
	}
	return rootly__jcheck_raise(&c);
}

/* "key\nvalue\n" for each signed key. Checked first, built after: an
 * envelope that is refused costs no allocation. */
static int build_string_to_sign(char **out, size_t *out_len, const envelope *env)
{
	json_t *values[ROOTLY_ARRAY_SIZE(k_confirmation)];
	ROOTLY_TRY(signed_values(env, values));
	rootly_buf b = ROOTLY_BUF_INIT;
	for (size_t i = 0; i < env->nkeys; i++) {
		if (!values[i])
			continue;
		rootly_buf_puts(&b, env->keys[i]);
		rootly_buf_putc(&b, '\n');
		rootly_buf_put(&b, json_string_value(values[i]), json_string_length(values[i]));
		rootly_buf_putc(&b, '\n');
	}
	size_t n = b.len;
	*out = rootly_buf_detach(&b);
	if (!*out)
		return rootly_error_set_oom();
	if (out_len)
		*out_len = n;
	return 0;
}

rootly_status rootly_sns_string_to_sign(char **out, const char *body, size_t len)
{
	if (!out)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, SNS_WHAT ": out is NULL");
	*out = NULL;
	envelope env;
	ROOTLY_TRY(envelope_read(&env, body, len));
	int rc = build_string_to_sign(out, NULL, &env);
	json_decref(env.root);
	return rc;
}

static bool region_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static bool path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '-' || c == '_' || c == '.' || c == '/';
}

/* https://sns.<region>.amazonaws.com[.cn]/<path>.pem and nothing else:
 * the authority is matched whole, so "user@", ":port" or a look-alike
 * host ("sns.x.amazonaws.com.evil.example") cannot pass. */
static bool cert_url_ok(const char *url, size_t n)
{
	static const char scheme[] = "https://sns.";
	size_t sl = sizeof(scheme) - 1;
	if (n > SNS_MAX_URL || n < sl || memcmp(url, scheme, sl) != 0)
		return false;
	const char *host_end = memchr(url + sl, '/', n - sl);
	if (!host_end)
		return false;
	const char *region = url + sl, *dot = region;
	while (dot < host_end && region_char(*dot))
		dot++;
	if (dot - region < 3 || dot >= host_end || *dot != '.')
		return false;
	size_t rest = (size_t)(host_end - dot);
	if (!((rest == 14 && memcmp(dot, ".amazonaws.com", 14) == 0) ||
	      (rest == 17 && memcmp(dot, ".amazonaws.com.cn", 17) == 0)))
		return false;
	const char *path = host_end, *end = url + n;
	if (end - path < 5 || memcmp(end - 4, ".pem", 4) != 0)
		return false;
	for (const char *p = path; p < end; p++)
		if (!path_char(*p) || (p[0] == '.' && p + 1 < end && p[1] == '.'))
			return false;
	return true;
}

rootly_status rootly_sns_signing_cert_url(char **out, const char *body, size_t len)
{
	if (!out)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, SNS_WHAT ": out is NULL");
	*out = NULL;
	envelope env;
	ROOTLY_TRY(envelope_read(&env, body, len));
	rootly_jcheck c;
	rootly__jcheck_init(&c, SNS_WHAT);
	const char *url = NULL;
	int rc = 0;
	if (!rootly__jcheck_string(&c, env.root, "", "SigningCertURL", true, &url)) {
		rc = rootly__jcheck_raise(&c);
	} else if (!cert_url_ok(url, json_string_length(json_object_get(env.root, "SigningCertURL")))) {
		char q[64];
		rootly__quote(q, sizeof(q), url);
		rc = rootly__err(ROOTLY_EAUTH, ROOTLY_ERROR_INPUT, 0, SNS_WHAT
			": SigningCertURL %s is not https://sns.<region>.amazonaws.com/....pem", q);
	} else if (!(*out = rootly__strdup(url))) {
		rc = rootly_error_set_oom();
	}
	json_decref(env.root);
	return rc;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Strict standard Base64: padded to a multiple of 4, no whitespace, no
 * stray bits in the last group. Returns the decoded length or -1. */
static long b64_decode(unsigned char *out, const char *s, size_t n)
{
	if (n == 0 || n % 4)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		int pad = 0, v[4];
		for (int k = 0; k < 4; k++) {
			unsigned char ch = (unsigned char)s[i + k];
			if (ch == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad || (v[k] = b64_value(ch)) < 0)
				return -1;
		}
		if ((pad == 1 && (v[2] & 3)) || (pad == 2 && (v[1] & 15)))
			return -1;
		unsigned long w = (unsigned long)v[0] << 18 | (unsigned long)v[1] << 12 |
			(unsigned long)v[2] << 6 | (unsigned long)v[3];
		out[o++] = (unsigned char)(w >> 16);
		if (pad < 2)
			out[o++] = (unsigned char)(w >> 8);
		if (pad < 1)
			out[o++] = (unsigned char)w;
	}
	return (long)o;
}

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return 0;
}

static int crypto_error(int code, const char *fmt, const char *what)
{
	ERR_clear_error();
	int klass = code == ROOTLY_EAUTH ? ROOTLY_ERROR_INPUT : code == ROOTLY_EINVALID ? ROOTLY_ERROR_INVALID : ROOTLY_ERROR_OS;
	return rootly__err(code, klass, 0, fmt, what);
}

/* The certificate's RSA key, or an error. */
static int load_key(EVP_PKEY **key, const char *pem, size_t n)
{
	*key = NULL;
	if (!pem || n == 0 || n > SNS_MAX_CERT)
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			SNS_WHAT ": cert_pem must hold 1 to %d bytes (got %zu)", SNS_MAX_CERT, pem ? n : 0);
	BIO *bio = BIO_new_mem_buf(pem, (int)n);
	if (!bio)
		return crypto_error(ROOTLY_ERROR, SNS_WHAT ": libcrypto %s failed", "BIO_new_mem_buf");
	X509 *cert = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (!cert)
		return crypto_error(ROOTLY_EINVALID, SNS_WHAT ": %s", "cert_pem holds no readable PEM certificate");
	EVP_PKEY *k = X509_get_pubkey(cert);
	X509_free(cert);
	if (!k)
		return crypto_error(ROOTLY_EINVALID, SNS_WHAT ": %s", "the certificate's public key is unreadable");
	bool rsa = EVP_PKEY_is_a(k, "RSA");
	int bits = EVP_PKEY_get_bits(k);
	if (!rsa || bits < SNS_MIN_RSA_BITS) {
		EVP_PKEY_free(k);
		ERR_clear_error();
		return rootly__err(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0,
			SNS_WHAT ": the certificate's key must be RSA of at least %d bits (got %s key of %d bits)",
			SNS_MIN_RSA_BITS, rsa ? "an RSA" : "a non-RSA", bits);
	}
	*key = k;
	return 0;
}

/* SignatureVersion and Signature, checked and decoded. */
static int read_signature(const envelope *env, const char **digest, unsigned char *sig, size_t *siglen)
{
	rootly_jcheck c;
	rootly__jcheck_init(&c, SNS_WHAT);
	const char *version = NULL, *b64 = NULL;
	rootly__jcheck_string(&c, env->root, "", "SignatureVersion", true, &version);
	rootly__jcheck_string(&c, env->root, "", "Signature", true, &b64);
	if (version && strcmp(version, "1") == 0) {
		*digest = "SHA1";
	} else if (version && strcmp(version, "2") == 0) {
		*digest = "SHA256";
	} else if (version) {
		char q[64];
		rootly__quote(q, sizeof(q), version);
		rootly__jcheck_add(&c, "SignatureVersion", "expected \"1\" (SHA1withRSA) or \"2\" (SHA256withRSA), got %s", q);
	}
	if (b64) {
		size_t n = json_string_length(json_object_get(env->root, "Signature"));
		long m = n <= SNS_MAX_SIGNATURE_B64 ? b64_decode(sig, b64, n) : -1;
		if (m <= 0)
			rootly__jcheck_add(&c, "Signature", "expected standard Base64 of at most %d characters",
				SNS_MAX_SIGNATURE_B64);
		else
			*siglen = (size_t)m;
	}
	return rootly__jcheck_raise(&c);
}

rootly_status rootly_sns_verify(const char *body, size_t len, const char *cert_pem, size_t cert_len)
{
	envelope env;
	ROOTLY_TRY(envelope_read(&env, body, len));
	const char *digest = NULL;
	unsigned char sig[SNS_MAX_SIGNATURE_B64 / 4 * 3];
	size_t siglen = 0;
	char *sts = NULL;
	size_t sts_len = 0;
	EVP_PKEY *key = NULL;
	int rc = read_signature(&env, &digest, sig, &siglen);
	if (rc == 0)
		rc = build_string_to_sign(&sts, &sts_len, &env);
	json_decref(env.root);
	if (rc == 0)
		rc = load_key(&key, cert_pem, cert_len);
	if (rc < 0) {
		rootly_free(sts);
		return rc;
	}

	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || EVP_DigestVerifyInit_ex(md, NULL, digest, NULL, NULL, key, NULL) != 1) {
		rc = crypto_error(ROOTLY_ERROR, SNS_WHAT ": libcrypto %s failed", "EVP_DigestVerifyInit_ex");
	} else if (EVP_DigestVerify(md, sig, siglen, (const unsigned char *)sts, sts_len) != 1) {
		/* 0 (mismatch) and errors such as a wrong length alike: refuse. */
		rc = crypto_error(ROOTLY_EAUTH, SNS_WHAT ": the Signature does not verify with the certificate's key (%s)",
			strcmp(digest, "SHA1") == 0 ? "SHA1withRSA" : "SHA256withRSA");
	}
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	rootly_free(sts);
	return rc;
}
