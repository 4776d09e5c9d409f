"""The raw SWIG layer and the small conversions every module shares.

Everything here is private; the public names are re-exported by
``rootly/__init__.py``.
"""

from __future__ import annotations

from typing import Optional, Union

from . import rootly_native as n  # the SWIG proxy module (raw C API)

#: Lifecycle statuses, indexed by their C value (rootly_incident_status).
STATUSES = tuple(n.rootly_status_name(i) for i in range(n.ROOTLY_STATUS_COUNT))
STATUS_VALUE = {name: i for i, name in enumerate(STATUSES)}
OPEN_STATUSES = ("in_triage", "started", "mitigated")

# rootly.Error subclasses carry the code they stand for as a class
# attribute, so host code (a Python store) can raise them and the library
# receives that code; errors raised by librootly set it on the instance.
_CLASS_CODES = (
    (n.Error, n.ROOTLY_ERROR),
    (n.NotFoundError, n.ROOTLY_ENOTFOUND),
    (n.InvalidError, n.ROOTLY_EINVALID),
    (n.IllegalTransitionError, n.ROOTLY_EILLEGAL),
    (n.ConflictError, n.ROOTLY_ECONFLICT),
    (n.StorageError, n.ROOTLY_EIO),
    (n.ExistsError, n.ROOTLY_EEXISTS),
    (n.TimeoutError, n.ROOTLY_ETIMEOUT),
    (n.AuthError, n.ROOTLY_EAUTH),
    (n.PermissionDeniedError, n.ROOTLY_EPERM),
    (n.NoMemoryError, n.ROOTLY_ENOMEM),
    (n.NotSupportedError, n.ROOTLY_ENOTSUPPORTED),
)
for _cls, _code in _CLASS_CODES:
    _cls.code = _code
    _cls.name = n.rootly_err_name(_code)
    _cls.message = ""
    _cls.klass = 0
    _cls.sys_code = 0


def raise_last(code: int) -> None:
    """Raise the exception for `code` with the calling thread's last error."""
    n.rootly_swig_status(code)
    raise n.Error("librootly returned %d" % code)  # pragma: no cover - status >= 0


def status_value(status: Union[str, int]) -> int:
    if isinstance(status, int) and not isinstance(status, bool):
        if not 0 <= status < len(STATUSES):
            raise ValueError("unknown status %r; expected one of %s" % (status, ", ".join(STATUSES)))
        return status
    try:
        return STATUS_VALUE[status]
    except (KeyError, TypeError):
        raise ValueError("unknown status %r; expected one of %s" % (status, ", ".join(STATUSES))) from None


def severity_value(severity: Union[None, str, int], unset: int = n.ROOTLY_SEV_UNSET) -> int:
    """None -> `unset`; 2, "SEV2", "sev2", "2" or a word ("critical") -> its level."""
    if severity is None:
        return unset
    if isinstance(severity, int) and not isinstance(severity, bool):
        return severity
    if not isinstance(severity, str):
        raise TypeError("severity must be str or int, not %s" % type(severity).__name__)
    try:
        return n.rootly_swig_severity_parse(severity)
    except n.InvalidError:
        raise ValueError("bad severity %r; expected SEV0..SEV4, 0..4 or a word such as 'critical'"
                         % (severity,)) from None


def ms_or_none(t: int) -> Optional[int]:
    return t if t else None


def ref_of(ref: object) -> str:
    """An incident reference: an Incident, or its id or number ("INC-7")."""
    r = getattr(ref, "id", ref)
    if not isinstance(r, str):
        raise TypeError("expected an Incident or an incident id/number (str), not %s" % type(ref).__name__)
    return r


def str_list(what: str, seq: object) -> list:
    if isinstance(seq, (str, bytes)):
        raise TypeError("%s must be a list of str, not a single %s" % (what, type(seq).__name__))
    return list(seq)  # type: ignore[call-overload]
