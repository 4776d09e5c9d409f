"""librootly for Python: the incident lifecycle, in-process.

    import rootly

    with rootly.Context("memory:") as ctx:
        items = ctx.ingest("alertmanager", payload_bytes)
        inc = ctx.get_incident(items[0].incident_ref)    # "INC-1"
        inc = inc.acknowledge(actor="alice")
        inc = inc.transition("started")
        inc.add_note("rolled back the deploy")
        ctx.resolve(inc)
        for event in ctx.timeline(inc):
            print(event.seq, event.kind)
        assert ctx.verify(inc).ok                        # hash chain intact
        print(ctx.postmortem(inc))                       # Markdown, with TTA/TTM/TTR

Errors are exceptions raised by the failing call itself: ``rootly.Error``
(attributes ``code``, ``name``, ``message``, ``klass``, ``sys_code``) and its
subclasses -- ``NotFoundError`` (also a ``KeyError``), ``InvalidError`` (also a
``ValueError``; ``ConfigError`` lists every problem of a configuration),
``IllegalTransitionError``, ``ConflictError``, ``StorageError``, ``AuthError``
and a few more.

Objects returned here (``Incident``, ``Task``, ``Event``, ``IngestItem`` ...)
are immutable snapshots: they copy what the library returned and hold no
pointer into it. ``Timeline``, ``MetricsReport`` and ``Config`` keep a C
object for their renderings; ``with`` or ``close()`` frees it at once.

Storage backends can be written in Python: subclass ``rootly.Store`` (or
start from ``rootly.DictStore``) and pass ``Context(store=...)``.

Threads: a ``Context`` is used by one thread at a time; this wrapper
serialises calls on one context with a lock. librootly runs with the GIL
released, so several contexts work in parallel.

Times are integers, milliseconds since the Unix epoch (UTC). The raw SWIG
layer is ``rootly.rootly_native``.
"""

from __future__ import annotations

from typing import Tuple

from . import _native
from ._native import STATUSES
from ._native import n as _n
from .config import Config, ConfigError, ConfigProblem
from .context import Context
from .models import (Alert, Event, Incident, IncidentMetrics, IngestItem, MetricSummary, MetricsRow, Task,
                     VerifyResult)
from .rootly_native import (  # noqa: F401  (re-exported)
    AuthError,
    ConflictError,
    Error,
    ExistsError,
    IllegalTransitionError,
    InvalidError,
    NoMemoryError,
    NotFoundError,
    NotSupportedError,
    PermissionDeniedError,
    StorageError,
    TimeoutError,
)
from .signature import SCHEMES, sign, sns_signing_cert_url, sns_string_to_sign, sns_verify, verify_signature
from .store import DictStore, Query, RawStore, Record, Store
from .timeline import MetricsReport, Timeline
from .transport import CAPABILITIES, Delivery, DeliveryFailed, RetryLater, Transport

__all__ = [
    "Context", "Incident", "IngestItem", "Alert", "Task", "Event", "Timeline", "VerifyResult",
    "IncidentMetrics", "MetricSummary", "MetricsRow", "MetricsReport",
    "Config", "ConfigError", "ConfigProblem",
    "Store", "DictStore", "Record", "Query", "RawStore",
    "Transport", "Delivery", "RetryLater", "DeliveryFailed", "CAPABILITIES",
    "verify_signature", "sign", "sns_string_to_sign", "sns_signing_cert_url", "sns_verify", "SCHEMES",
    "Error", "NotFoundError", "InvalidError", "IllegalTransitionError", "ConflictError",
    "StorageError", "ExistsError", "TimeoutError", "AuthError", "PermissionDeniedError",
    "NoMemoryError", "NotSupportedError",
    "STATUSES", "version", "strerror", "err_name", "fingerprint", "severity_name", "parse_severity",
    "__version__",
]

__version__: str = _n.rootly_version_string()

# Error codes, for stores that report failures by code.
OK = _n.ROOTLY_OK
EIO = _n.ROOTLY_EIO
ENOTFOUND = _n.ROOTLY_ENOTFOUND
ECONFLICT = _n.ROOTLY_ECONFLICT
EINVALID = _n.ROOTLY_EINVALID


def version() -> Tuple[int, int, int]:
    """The linked library's (major, minor, patch)."""
    major, minor, patch = _n.rootly_version()
    return (major, minor, patch)


def strerror(code: int) -> str:
    """Text for a ROOTLY_E* code, e.g. strerror(-3) == 'not found'."""
    return _n.rootly_strerror(code)


def err_name(code: int) -> str:
    """Symbolic name of a code, e.g. 'ROOTLY_ENOTFOUND'."""
    return _n.rootly_err_name(code)


def fingerprint(labels: "dict[str, str]") -> str:
    """Alertmanager's fingerprint of a label set (16 hex digits)."""
    return _n.rootly_swig_alert_fingerprint(labels)


def severity_name(severity: int) -> str:
    """"SEV0".."SEV4"."""
    name = _n.rootly_severity_name(severity)
    if name is None:
        raise ValueError("no severity level %r" % (severity,))
    return name


def parse_severity(text: str) -> int:
    """"SEV1", "sev1", "1" or a monitoring word (critical -> 1, warning -> 3 ...)."""
    return _native.severity_value(text)
