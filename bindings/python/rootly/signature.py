"""Webhook signature checks (rootly/signature.h): pure functions, any thread."""

from __future__ import annotations

import time as _time
from typing import Mapping, Optional, Sequence, Tuple, Union

from ._native import n as _n

__all__ = ["SCHEMES", "verify_signature", "sign", "sns_string_to_sign", "sns_signing_cert_url", "sns_verify"]

#: Scheme names accepted by verify_signature and sign.
SCHEMES = {
    "slack": _n.ROOTLY_SIG_SLACK_V0,
    "pagerduty": _n.ROOTLY_SIG_PAGERDUTY_V3,
    "grafana": _n.ROOTLY_SIG_GRAFANA,
    "hmac-sha256": _n.ROOTLY_SIG_HMAC_SHA256,
}

Body = Union[str, bytes, bytearray, memoryview]


def _scheme(name: str) -> int:
    try:
        return SCHEMES[name]
    except KeyError:
        raise ValueError("unknown signature scheme %r; expected one of %s" % (name, ", ".join(SCHEMES))) from None


def _secrets(secrets: Union[str, Sequence[str]]) -> list:
    return [secrets] if isinstance(secrets, str) else list(secrets)


def _now(now: Optional[int]) -> int:
    return int(_time.time() * 1000) if now is None else now


def verify_signature(scheme: str, secrets: Union[str, Sequence[str]], headers: Mapping[str, str], body: Body, *,
                     header: Optional[str] = None, timestamp_header: Optional[str] = None,
                     tolerance_ms: int = 0, prefix: Optional[str] = None, now: Optional[int] = None) -> None:
    """Check a webhook's signature over its raw body; AuthError (with the
    reason, never the expected value) when it does not match."""
    _n.rootly_swig_signature_verify(_scheme(scheme), _secrets(secrets), header, timestamp_header, tolerance_ms,
                                    prefix, headers, body, _now(now))


def sign(scheme: str, secrets: Union[str, Sequence[str]], body: Body, *, header: Optional[str] = None,
         timestamp_header: Optional[str] = None, prefix: Optional[str] = None,
         now: Optional[int] = None) -> Tuple[str, Optional[str]]:
    """(signature header value, timestamp header value or None), as the sender would."""
    sig, ts = _n.rootly_swig_signature_sign(_scheme(scheme), _secrets(secrets), header, timestamp_header, 0,
                                            prefix, body, _now(now))
    return sig, ts


def sns_string_to_sign(body: Body) -> str:
    return _n.rootly_sns_string_to_sign(body)


def sns_signing_cert_url(body: Body) -> str:
    return _n.rootly_sns_signing_cert_url(body)


def sns_verify(body: Body, cert_pem: Union[str, bytes]) -> None:
    _n.rootly_sns_verify(body, cert_pem)
