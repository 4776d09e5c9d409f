package rootly

import (
	"strings"

	"librootly.dev/rootly/internal/raw"
)

// Scheme is a webhook signing convention.
type Scheme int

const (
	SchemeSlack      Scheme = 0 // X-Slack-Signature v0, timestamped
	SchemePagerDuty  Scheme = 1 // X-PagerDuty-Signature v1=..., any secret
	SchemeGrafana    Scheme = 2 // X-Grafana-Alerting-Signature
	SchemeHMACSHA256 Scheme = 3 // generic: Header carries Prefix + hex HMAC
)

// SignatureOptions say how to check (or make) a signature.
type SignatureOptions struct {
	Scheme          Scheme
	Secrets         []string // current first; two during a rotation
	Header          string   // "" : the scheme's own (required for the generic scheme)
	TimestampHeader string
	ToleranceMS     int64 // replay window; 0 = 5 minutes
	Prefix          string
}

// VerifySignature checks a webhook's signature over its raw body; an error
// matching ErrAuth says why (never the expected value).
func VerifySignature(o SignatureOptions, headers map[string]string, body []byte, nowMS int64) error {
	secrets, hs := strs(o.Secrets), pairs(headers)
	defer raw.DeleteStrings(secrets)
	defer raw.DeletePairs(hs)
	return onThread(func() error {
		return lastError(raw.Rootly_go_signature_verify(int(o.Scheme), secrets, o.Header, o.TimestampHeader,
			o.ToleranceMS, o.Prefix, hs, string(body), nowMS))
	})
}

// Sign signs a body as the sender would: the signature header value, and
// the timestamp header value ("" when the scheme signs none).
func Sign(o SignatureOptions, body []byte, nowMS int64) (signature, timestamp string, err error) {
	secrets := strs(o.Secrets)
	defer raw.DeleteStrings(secrets)
	err = onThread(func() error {
		out := raw.Rootly_go_signature_sign(int(o.Scheme), secrets, o.Header, o.TimestampHeader, o.Prefix, string(body), nowMS)
		if setFailed() {
			return failed()
		}
		signature, timestamp, _ = strings.Cut(out, "\n")
		return nil
	})
	return
}

// SNSStringToSign builds the canonical string an Amazon SNS envelope's
// signature covers (Notification, SubscriptionConfirmation,
// UnsubscribeConfirmation).
func SNSStringToSign(envelope []byte) (s string, err error) {
	err = onThread(func() error {
		s = raw.Rootly_go_sns_string_to_sign(string(envelope))
		if setFailed() {
			return failed()
		}
		return nil
	})
	return
}

// SNSSigningCertURL is the envelope's SigningCertURL once checked
// (https, sns.<region>.amazonaws.com, a .pem path); ErrAuth otherwise.
// Fetching the certificate over verified TLS is the caller's job.
func SNSSigningCertURL(envelope []byte) (url string, err error) {
	err = onThread(func() error {
		url = raw.Rootly_go_sns_signing_cert_url(string(envelope))
		if setFailed() {
			return failed()
		}
		return nil
	})
	return
}

// SNSVerify checks an SNS envelope's signature with the PEM certificate
// found at its SigningCertURL.
func SNSVerify(envelope, certPEM []byte) error {
	return onThread(func() error { return lastError(raw.Rootly_sns_verify(string(envelope), string(certPEM))) })
}

// Version is the linked library's version ("0.1.0").
func Version() string { return raw.Rootly_version_string() }
