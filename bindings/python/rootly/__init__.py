"""librootly for Python: the incident lifecycle, in-process.

    import rootly

    with rootly.Context("memory:") as ctx:
        items = ctx.ingest("alertmanager", payload_bytes)
        ref = items[0].incident_ref                 # "INC-1"
        ctx.acknowledge(ref)
        ctx.transition(ref, "started")
        ctx.transition(ref, "resolved")
        print(ctx.postmortem(ref))                  # Markdown, with TTA/TTM/TTR

Errors are exceptions raised by the failing call itself: ``rootly.Error``
(attributes ``code``, ``name``, ``message``, ``klass``, ``sys_code``) and its
subclasses -- ``NotFoundError`` (also a ``KeyError``), ``InvalidError`` (also a
``ValueError``), ``IllegalTransitionError``, ``ConflictError``,
``StorageError`` and a few more.

Objects returned here (``Incident``, ``IngestItem``) are immutable snapshots:
they copy what the library returned and hold no pointer into it.

Threads: a ``Context`` is used by one thread at a time; this wrapper
serialises calls on one context with a lock. librootly runs with the GIL
released, so several contexts work in parallel.

Times are integers, milliseconds since the Unix epoch (UTC).

This is the minimal module of the foundation issue; the raw SWIG layer is
``rootly.rootly_native``.
"""

from __future__ import annotations

import json as _json
import threading as _threading
from dataclasses import dataclass as _dataclass
from dataclasses import field as _field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from . import rootly_native as _n
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

__all__ = [
    "Context", "Incident", "IngestItem",
    "Error", "NotFoundError", "InvalidError", "IllegalTransitionError", "ConflictError",
    "StorageError", "ExistsError", "TimeoutError", "AuthError", "PermissionDeniedError",
    "NoMemoryError", "NotSupportedError",
    "STATUSES", "version", "strerror", "err_name", "__version__",
]

__version__: str = _n.rootly_version_string()

#: Lifecycle statuses, indexed by their C value (rootly_incident_status).
STATUSES: Tuple[str, ...] = tuple(_n.rootly_status_name(i) for i in range(_n.ROOTLY_STATUS_COUNT))
_STATUS_VALUE = {name: i for i, name in enumerate(STATUSES)}

_FORMATS = {
    "markdown": _n.ROOTLY_POSTMORTEM_MARKDOWN,
    "md": _n.ROOTLY_POSTMORTEM_MARKDOWN,
    "json": _n.ROOTLY_POSTMORTEM_JSON,
}


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


def _status_value(status: Union[str, int]) -> int:
    if isinstance(status, int):
        if not 0 <= status < len(STATUSES):
            raise ValueError("unknown status %r; expected one of %s" % (status, ", ".join(STATUSES)))
        return status
    try:
        return _STATUS_VALUE[status]
    except KeyError:
        raise ValueError("unknown status %r; expected one of %s" % (status, ", ".join(STATUSES))) from None


def _severity_value(severity: Union[None, str, int]) -> int:
    """None -> unset (-1); 2 or "SEV2"/"sev2" -> 2."""
    if severity is None:
        return _n.ROOTLY_SEV_UNSET
    if isinstance(severity, int):
        return severity
    s = str(severity).strip().upper()
    if s.startswith("SEV"):
        s = s[3:]
    try:
        return int(s)
    except ValueError:
        raise ValueError("bad severity %r; expected SEV0..SEV4 or 0..4" % (severity,)) from None


def _ms_or_none(t: int) -> Optional[int]:
    return t if t else None


@_dataclass(frozen=True)
class IngestItem:
    """What happened to one alert of an ingested payload."""

    outcome: str                  #: "created", "attached", "deduplicated", "resolved", ...
    alert_id: Optional[str]       #: stored alert id; None when rejected
    fingerprint: Optional[str]    #: dedup key
    incident_id: Optional[str]    #: incident concerned, if any
    incident_ref: Optional[str]   #: "INC-7", if any
    status: Optional[str]         #: "firing" / "resolved"
    reason: Optional[str] = None  #: why dropped / rejected / deduplicated

    @classmethod
    def _from(cls, d: Mapping[str, Any]) -> "IngestItem":
        return cls(outcome=d["outcome"], alert_id=d["alert_id"], fingerprint=d["fingerprint"],
                   incident_id=d["incident_id"], incident_ref=d["incident_ref"],
                   status=d["status"], reason=d["reason"])


@_dataclass(frozen=True)
class Incident:
    """A snapshot of a stored incident."""

    id: str
    number: int
    ref: str                      #: "INC-<number>"
    title: str
    summary: str
    severity: Optional[int]       #: 0 (SEV0, most severe) .. 4; None when unset
    status: str                   #: one of STATUSES
    revision: int
    created_at: int
    detected_at: int
    acknowledged_at: Optional[int]
    #: when the incident entered each status it has been in
    status_at: Dict[str, int] = _field(default_factory=dict)
    services: Tuple[str, ...] = ()
    teams: Tuple[str, ...] = ()
    labels: Dict[str, str] = _field(default_factory=dict)
    roles: Dict[str, str] = _field(default_factory=dict)
    group_key: str = ""
    alerts_count: int = 0

    @property
    def severity_name(self) -> Optional[str]:
        """"SEV1", ... or None."""
        return None if self.severity is None else _n.rootly_severity_name(self.severity)

    @property
    def is_open(self) -> bool:
        return self.status in ("in_triage", "started", "mitigated")

    @classmethod
    def _from_handle(cls, h: Any) -> "Incident":
        """Copy everything out of a rootly_incident (owned or borrowed)."""
        sev = _n.rootly_incident_severity(h)
        status_at = {}
        for i, name in enumerate(STATUSES):
            t = _n.rootly_incident_status_at(h, i)
            if t:
                status_at[name] = t
        return cls(
            id=_n.rootly_incident_id(h),
            number=_n.rootly_incident_number(h),
            ref=_n.rootly_incident_ref(h),
            title=_n.rootly_incident_title(h),
            summary=_n.rootly_incident_summary(h) or "",
            severity=None if sev < 0 else sev,
            status=STATUSES[_n.rootly_incident_status_get(h)],
            revision=_n.rootly_incident_revision(h),
            created_at=_n.rootly_incident_created_at(h),
            detected_at=_n.rootly_incident_detected_at(h),
            acknowledged_at=_ms_or_none(_n.rootly_incident_acknowledged_at(h)),
            status_at=status_at,
            services=tuple(_n.rootly_incident_service_at(h, i)
                           for i in range(_n.rootly_incident_services_count(h))),
            teams=tuple(_n.rootly_incident_team_at(h, i)
                        for i in range(_n.rootly_incident_teams_count(h))),
            labels=dict(_n.rootly_incident_label_at(h, i)
                        for i in range(_n.rootly_incident_labels_count(h))),
            roles=dict(_n.rootly_incident_role_at(h, i)
                       for i in range(_n.rootly_incident_roles_count(h))),
            group_key=_n.rootly_incident_group_key(h) or "",
            alerts_count=_n.rootly_incident_alerts_count(h),
        )


IncidentRef = Union[str, Incident]


def _ref(ref: IncidentRef) -> str:
    return ref.id if isinstance(ref, Incident) else ref


class Context:
    """The engine: one storage backend, a clock and a default actor.

    ``storage`` is a URI: ``"memory:"`` or ``"sqlite:PATH"`` (None: the
    library default, ``sqlite:rootly.db``). ``actor`` is recorded on timeline
    events when a call names none (default ``"system"``).

    Use it as a context manager, or call close(); the store is also closed
    when the object is collected.
    """

    def __init__(self, storage: Optional[str] = None, *, actor: Optional[str] = None) -> None:
        self._lock = _threading.RLock()
        self._storage = storage
        self._h = _n.rootly_swig_ctx_open(storage, actor)

    # -- lifetime ---------------------------------------------------------
    def close(self) -> None:
        """Close the context and its store. Idempotent."""
        with self._lock:
            h, self._h = self._h, None
            if h is not None:
                # Frees now (and disowns the proxy, so nothing is freed twice).
                _n._rootly_native.delete_rootly_ctx(h)

    @property
    def closed(self) -> bool:
        return self._h is None

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._h is None else "open"
        return "<rootly.Context %r %s>" % (self._storage, state)

    def _handle(self) -> Any:
        if self._h is None:
            raise ValueError("operation on a closed rootly.Context")
        return self._h

    # -- alerts -----------------------------------------------------------
    def ingest(self, source: str, body: Union[str, bytes, bytearray, memoryview, Mapping[str, Any], List[Any]],
               headers: Optional[Mapping[str, str]] = None) -> List[IngestItem]:
        """Ingest one payload from ``source`` (e.g. "alertmanager").

        ``body`` is the raw request body (str or bytes), or a dict/list that
        is serialised as JSON. A malformed payload raises InvalidError naming
        the field or position, and nothing is stored.
        """
        if isinstance(body, (dict, list)):
            body = _json.dumps(body)
        with self._lock:
            res = _n.rootly_ingest(self._handle(), source, body, headers)
            return [IngestItem._from(_n.rootly_ingest_result_at(res, i))
                    for i in range(_n.rootly_ingest_result_count(res))]

    # -- incidents --------------------------------------------------------
    def create_incident(self, title: str, *, summary: Optional[str] = None,
                        severity: Union[None, str, int] = None,
                        services: Iterable[str] = (), teams: Iterable[str] = (),
                        labels: Optional[Mapping[str, str]] = None,
                        fields: Optional[Mapping[str, Any]] = None,
                        status: Union[str, int] = "in_triage", detected_at: int = 0,
                        actor: Optional[str] = None) -> Incident:
        """Declare an incident; it gets an id and the next number (INC-n).

        ``fields`` are custom fields; their values are stored as JSON.
        """
        for what, seq in (("services", services), ("teams", teams)):
            if isinstance(seq, (str, bytes)):
                raise TypeError("%s must be a list of str, not a single %s" % (what, type(seq).__name__))
        field_texts = None if fields is None else {k: _json.dumps(v) for k, v in fields.items()}
        with self._lock:
            h = _n.rootly_swig_incident_create(
                self._handle(), title, summary, _severity_value(severity),
                list(services), list(teams), labels, field_texts,
                _status_value(status), detected_at, actor)
            return Incident._from_handle(h)

    def get_incident(self, ref: IncidentRef) -> Incident:
        """Load an incident by id or number ("INC-7", "7"); NotFoundError if absent."""
        with self._lock:
            return Incident._from_handle(_n.rootly_incident_get(self._handle(), _ref(ref)))

    def list_incidents(self, status: Union[None, str, int] = None, *, open_only: bool = False,
                       severity: Union[None, str, int] = None, service: Optional[str] = None,
                       team: Optional[str] = None, created_from: int = 0, created_to: int = 0,
                       limit: int = 0, newest_first: bool = False) -> List[Incident]:
        """Incidents matching every given filter, oldest first unless newest_first."""
        with self._lock:
            lst = _n.rootly_swig_incident_list(
                self._handle(), -1 if status is None else _status_value(status), int(open_only),
                _severity_value(severity), service, team, created_from, created_to, limit,
                int(newest_first))
            # Items are borrowed from the list: copy them out while it lives.
            return [Incident._from_handle(_n.rootly_incident_list_at(lst, i))
                    for i in range(_n.rootly_incident_list_count(lst))]

    def incident_json(self, ref: IncidentRef) -> Dict[str, Any]:
        """The whole stored incident document (docs/data-model.md) as a dict."""
        with self._lock:
            h = _n.rootly_incident_get(self._handle(), _ref(ref))
            return _json.loads(_n.rootly_incident_to_json(h))

    # -- lifecycle --------------------------------------------------------
    def transition(self, ref: IncidentRef, to: Union[str, int], *, actor: Optional[str] = None,
                   note: Optional[str] = None, override: bool = False) -> None:
        """Move an incident to status ``to``.

        IllegalTransitionError (its message lists the allowed transitions)
        unless the lifecycle allows it or ``override`` is set.
        """
        flags = _n.ROOTLY_TRANSITION_OVERRIDE if override else 0
        with self._lock:
            _n.rootly_incident_transition(self._handle(), _ref(ref), _status_value(to), actor, note, flags)

    def acknowledge(self, ref: IncidentRef, *, actor: Optional[str] = None) -> None:
        """Stamp acknowledged_at (the first acknowledgement counts)."""
        with self._lock:
            _n.rootly_incident_acknowledge(self._handle(), _ref(ref), actor)

    def start(self, ref: IncidentRef, **kw: Any) -> None:
        self.transition(ref, "started", **kw)

    def mitigate(self, ref: IncidentRef, **kw: Any) -> None:
        self.transition(ref, "mitigated", **kw)

    def resolve(self, ref: IncidentRef, **kw: Any) -> None:
        self.transition(ref, "resolved", **kw)

    def close_incident(self, ref: IncidentRef, **kw: Any) -> None:
        self.transition(ref, "closed", **kw)

    def cancel(self, ref: IncidentRef, **kw: Any) -> None:
        self.transition(ref, "cancelled", **kw)

    @staticmethod
    def transition_allowed(frm: Union[str, int], to: Union[str, int]) -> bool:
        """Whether the lifecycle allows frm -> to without override."""
        return bool(_n.rootly_transition_allowed(_status_value(frm), _status_value(to)))

    # -- postmortem -------------------------------------------------------
    def postmortem(self, ref: IncidentRef, format: str = "markdown") -> str:
        """The postmortem document: "markdown" (default) or "json" text."""
        try:
            fmt = _FORMATS[format]
        except KeyError:
            raise ValueError("unknown postmortem format %r; expected markdown or json" % (format,)) from None
        with self._lock:
            return _n.rootly_postmortem_render(self._handle(), _ref(ref), fmt)
