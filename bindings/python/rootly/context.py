"""The engine context: storage, actor, batches, and every operation."""

from __future__ import annotations

import contextlib as _contextlib
import json as _json
import threading as _threading
import time as _time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Union

from . import _native as _nv
from ._native import n as _n
from .config import Config
from .models import Alert, Incident, IncidentMetrics, IngestItem, Task, VerifyResult
from .store import Store
from .timeline import MetricsReport, Timeline
from .transport import Transport

__all__ = ["Context"]

IncidentRef = Union[str, Incident]
Body = Union[str, bytes, bytearray, memoryview, Mapping[str, Any], List[Any]]

_FORMATS = {
    "markdown": _n.ROOTLY_POSTMORTEM_MARKDOWN,
    "md": _n.ROOTLY_POSTMORTEM_MARKDOWN,
    "json": _n.ROOTLY_POSTMORTEM_JSON,
}

_GROUPS = {
    None: _n.ROOTLY_METRICS_GROUP_NONE,
    "severity": _n.ROOTLY_METRICS_GROUP_SEVERITY,
    "service": _n.ROOTLY_METRICS_GROUP_SERVICE,
    "team": _n.ROOTLY_METRICS_GROUP_TEAM,
}

_make_item = IngestItem._make

_TASK_KINDS = {"task": _n.ROOTLY_TASK_TASK, "follow_up": _n.ROOTLY_TASK_FOLLOW_UP}


class _Clock(_n.ClockBackend):
    """A Python callable as the context's clock. A clock cannot fail: if the
    callable raises or returns something else than an int, the system time
    is used for that reading."""

    def __init__(self, fn: Callable[[], int]) -> None:
        _n.ClockBackend.__init__(self)
        self.fn = fn

    def raw_now(self) -> int:
        try:
            return int(self.fn())
        except Exception:
            return int(_time.time() * 1000)


class Context:
    """The engine: one storage backend, a clock and a default actor.

    ``storage`` is a URI: ``"memory:"`` or ``"sqlite:PATH"`` (None: the
    library default, ``sqlite:rootly.db``). ``store`` is a storage backend
    written in Python (a ``rootly.Store``) used instead. ``actor`` is
    recorded on timeline events when a call names none (default
    ``"system"``). ``clock`` is a callable returning the current time in ms
    since the epoch (tests replay scenarios with a fake clock; default: the
    system clock).

    Use it as a context manager, or call close(); the context is also
    closed when the object is collected.

    Threads: one context is used by one thread at a time; this wrapper
    serialises calls with a lock. Calls run with the GIL released, so
    separate contexts work in parallel.
    """

    def __init__(self, storage: Optional[str] = None, *, actor: Optional[str] = None,
                 store: Optional[Store] = None, clock: Optional[Callable[[], int]] = None) -> None:
        self._lock = _threading.RLock()
        self._h: Any = None
        self._store = None
        self._clock = None
        self._transports: List[Transport] = []
        self._storage: Optional[str]
        if store is not None:
            if storage is not None:
                raise ValueError("give either storage (a URI) or store (a rootly.Store), not both")
            if not isinstance(store, Store):
                raise TypeError("store must be a rootly.Store, not %s" % type(store).__name__)
            self._storage = "<%s>" % type(store).__name__
        else:
            self._storage = storage
        clk = None
        if clock is not None:
            if not callable(clock):
                raise TypeError("clock must be a callable returning ms since the epoch")
            clk = _Clock(clock)
        self._h = _n.rootly_swig_ctx_open_ex(storage, store, clk, actor)
        # The C side points at `store` and the clock: keep them alive until the context is freed.
        self._store = store
        self._clock = clk

    # -- lifetime ---------------------------------------------------------
    def close(self) -> None:
        """Close the context and its store. Idempotent."""
        with self._lock:
            h, self._h = self._h, None
            if h is not None:
                # Frees now (and disowns the proxy, so nothing is freed twice).
                _n._rootly_native.delete_rootly_ctx(h)
            self._store = None  # only now: the store's free slot ran above
            self._clock = None
            self._transports = []

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

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

    # -- context settings ---------------------------------------------------
    def now(self) -> int:
        """The context's clock, ms since the epoch."""
        with self._lock:
            return _n.rootly_ctx_now(self._handle())

    def set_actor(self, actor: str) -> None:
        with self._lock:
            _n.rootly_ctx_set_actor(self._handle(), actor)

    def add_role(self, role: str) -> None:
        """Make an incident role assignable (commander, communications_lead
        and scribe are by default)."""
        with self._lock:
            _n.rootly_ctx_add_role(self._handle(), role)

    def configure(self, config: Optional[Config]) -> None:
        """Use `config` (a rootly.Config; the context takes its own copy), or
        None to go back to the built-in defaults."""
        with self._lock:
            if config is None:
                _n.rootly_swig_ctx_set_config(self._handle(), None, None, None)
            else:
                config._handle()
                # the document that was validated (kept in memory), never the file again
                _n.rootly_swig_ctx_set_config(self._handle(), None, config._text, config._format)

    def check(self) -> None:
        """Check the store and verify every timeline; StorageError (ECORRUPT) names the first problem."""
        with self._lock:
            _n.rootly_ctx_check(self._handle())

    @_contextlib.contextmanager
    def batch(self) -> Iterator["Context"]:
        """Group operations into one storage transaction (group commit):
        committed when the block ends, rolled back if it raises."""
        with self._lock:
            _n.rootly_ctx_batch_begin(self._handle())
            try:
                yield self
            except BaseException:
                _n.rootly_ctx_batch_rollback(self._handle())
                raise
            _n.rootly_ctx_batch_commit(self._handle())

    # -- alerts -----------------------------------------------------------
    def ingest(self, source: str, body: Body, headers: Optional[Mapping[str, str]] = None) -> List[IngestItem]:
        """Ingest one payload from ``source`` ("alertmanager", "grafana",
        "pagerduty", "datadog", "opsgenie", "cloudwatch", ...).

        ``body`` is the raw request body (str or bytes), or a dict/list that
        is serialised as JSON. ``headers`` are the request headers (for
        sources that sign). A malformed payload raises InvalidError naming
        the field or position, and nothing is stored.
        """
        if isinstance(body, (dict, list)):
            body = _json.dumps(body)
        with self._lock:
            # one call: the outcomes come back as tuples (no result object)
            return [_make_item(t) for t in _n.rootly_py_ingest(self._handle(), source, body, headers)]

    def ingest_count(self, source: str, body: Body, headers: Optional[Mapping[str, str]] = None) -> int:
        """Ingest like ingest(), but only count the alerts (no per-alert objects)."""
        if isinstance(body, (dict, list)):
            body = _json.dumps(body)
        with self._lock:
            return _n.rootly_py_ingest_count(self._handle(), source, body, headers)

    def get_alert(self, alert_id: str) -> Alert:
        with self._lock:
            return Alert._from_doc(_json.loads(_n.rootly_alert_get_json(self._handle(), alert_id)))

    def incident_alerts(self, ref: IncidentRef) -> List[Alert]:
        with self._lock:
            docs = _json.loads(_n.rootly_incident_alerts_json(self._handle(), _nv.ref_of(ref)))
        return [Alert._from_doc(d) for d in docs]

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
        svc = _nv.str_list("services", services)
        tms = _nv.str_list("teams", teams)
        field_texts = None if fields is None else {k: _json.dumps(v) for k, v in fields.items()}
        with self._lock:
            h = _n.rootly_swig_incident_create(
                self._handle(), title, summary, _nv.severity_value(severity),
                svc, tms, labels, field_texts, _nv.status_value(status), detected_at, actor)
            return Incident._from_handle(h, self)

    def get_incident(self, ref: IncidentRef) -> Incident:
        """Load an incident by id or number ("INC-7", "7"); NotFoundError if absent."""
        with self._lock:
            return Incident._from_handle(_n.rootly_incident_get(self._handle(), _nv.ref_of(ref)), self)

    def list_incidents(self, status: Union[None, str, int] = None, *, open_only: bool = False,
                       severity: Union[None, str, int] = None, service: Optional[str] = None,
                       team: Optional[str] = None, created_from: int = 0, created_to: int = 0,
                       limit: int = 0, newest_first: bool = False) -> List[Incident]:
        """Incidents matching every given filter, oldest first unless newest_first."""
        with self._lock:
            lst = _n.rootly_swig_incident_list(
                self._handle(), -1 if status is None else _nv.status_value(status), int(open_only),
                _nv.severity_value(severity), service, team, created_from, created_to, limit,
                int(newest_first))
            # Items are borrowed from the list: copy them out while it lives.
            return [Incident._from_handle(_n.rootly_incident_list_at(lst, i), self)
                    for i in range(_n.rootly_incident_list_count(lst))]

    def incidents(self, **filters: Any) -> Iterator[Incident]:
        """Iterate over list_incidents(**filters)."""
        return iter(self.list_incidents(**filters))

    def incident_json(self, ref: IncidentRef) -> Dict[str, Any]:
        """The whole stored incident document (docs/data-model.md) as a dict."""
        with self._lock:
            h = _n.rootly_incident_get(self._handle(), _nv.ref_of(ref))
            return _json.loads(_n.rootly_incident_to_json(h))

    def incident_field(self, ref: IncidentRef, key: str) -> Any:
        """A custom field's value (parsed JSON); NotFoundError if unset."""
        with self._lock:
            h = _n.rootly_incident_get(self._handle(), _nv.ref_of(ref))
            return _json.loads(_n.rootly_incident_field(h, key))

    def update_incident(self, ref: IncidentRef, *, title: Optional[str] = None, summary: Optional[str] = None,
                        severity: Union[None, str, int] = None, services: Optional[Iterable[str]] = None,
                        teams: Optional[Iterable[str]] = None,
                        labels: Optional[Mapping[str, Optional[str]]] = None,
                        fields: Optional[Mapping[str, Any]] = None, actor: Optional[str] = None,
                        override: bool = False) -> None:
        """Change the given fields (None leaves a field alone; a label or
        field set to None is removed). One "incident.updated" event lists
        every change; a no-op update writes nothing."""
        svc = None if services is None else _nv.str_list("services", services)
        tms = None if teams is None else _nv.str_list("teams", teams)
        field_texts = None if fields is None else {k: None if v is None else _json.dumps(v)
                                                   for k, v in fields.items()}
        with self._lock:
            _n.rootly_swig_incident_update(
                self._handle(), _nv.ref_of(ref), title, summary,
                _nv.severity_value(severity, unset=-2), svc is not None, svc, tms is not None, tms,
                labels, field_texts, actor, int(override))

    # -- lifecycle --------------------------------------------------------
    def transition(self, ref: IncidentRef, to: Union[str, int], *, actor: Optional[str] = None,
                   note: Optional[str] = None, override: bool = False) -> None:
        """Move an incident to status ``to``.

        IllegalTransitionError (its message lists the allowed transitions)
        unless the lifecycle allows it or ``override`` is set.
        """
        flags = _n.ROOTLY_TRANSITION_OVERRIDE if override else 0
        with self._lock:
            _n.rootly_incident_transition(self._handle(), _nv.ref_of(ref), _nv.status_value(to), actor, note, flags)

    def acknowledge(self, ref: IncidentRef, *, actor: Optional[str] = None) -> None:
        """Stamp acknowledged_at (the first acknowledgement counts)."""
        with self._lock:
            _n.rootly_incident_acknowledge(self._handle(), _nv.ref_of(ref), actor)

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
        return bool(_n.rootly_transition_allowed(_nv.status_value(frm), _nv.status_value(to)))

    # -- roles, notes, chat -------------------------------------------------
    def assign_role(self, ref: IncidentRef, role: str, user: str, *, actor: Optional[str] = None) -> None:
        """Give `role` to `user` (replacing any holder); InvalidError for an unknown role."""
        with self._lock:
            _n.rootly_incident_assign_role(self._handle(), _nv.ref_of(ref), role, user, actor)

    def unassign_role(self, ref: IncidentRef, role: str, *, actor: Optional[str] = None) -> None:
        with self._lock:
            _n.rootly_incident_unassign_role(self._handle(), _nv.ref_of(ref), role, actor)

    def add_note(self, ref: IncidentRef, text: str, *, actor: Optional[str] = None) -> None:
        with self._lock:
            _n.rootly_incident_add_note(self._handle(), _nv.ref_of(ref), text, actor)

    def add_chat_message(self, ref: IncidentRef, author: str, text: str, *, at: int = 0,
                         channel: Optional[str] = None) -> None:
        """Record a message of the incident channel on the timeline (at 0: now)."""
        with self._lock:
            _n.rootly_incident_add_chat_message(self._handle(), _nv.ref_of(ref), author, text, at, channel)

    # -- tasks --------------------------------------------------------------
    def create_task(self, ref: IncidentRef, title: str, *, description: Optional[str] = None,
                    assignee: Optional[str] = None, kind: str = "task", priority: Optional[str] = None,
                    due_at: int = 0, actor: Optional[str] = None) -> Task:
        """Add a task ("task") or postmortem action item ("follow_up")."""
        try:
            k = _TASK_KINDS[kind]
        except KeyError:
            raise ValueError("unknown task kind %r; expected task or follow_up" % (kind,)) from None
        with self._lock:
            task_id = _n.rootly_swig_task_create(self._handle(), _nv.ref_of(ref), title, description, assignee, k,
                                                 priority, due_at, actor)
            for t in self._tasks(_nv.ref_of(ref)):
                if t.id == task_id:
                    return t
        raise AssertionError("task %s not listed after creation" % task_id)  # pragma: no cover

    def _tasks(self, ref: Optional[str]) -> List[Task]:
        lst = _n.rootly_task_list_load(self._handle(), ref)
        return [Task._from(_n.rootly_task_list_at(lst, i), self) for i in range(_n.rootly_task_list_count(lst))]

    def tasks(self, ref: Optional[IncidentRef] = None) -> List[Task]:
        """Tasks of one incident in creation order; with no incident, every open task."""
        with self._lock:
            return self._tasks(None if ref is None else _nv.ref_of(ref))

    def assign_task(self, task_id: str, assignee: Optional[str], *, actor: Optional[str] = None) -> None:
        with self._lock:
            _n.rootly_task_assign(self._handle(), getattr(task_id, "id", task_id), assignee, actor)

    def complete_task(self, task_id: str, *, actor: Optional[str] = None) -> None:
        with self._lock:
            _n.rootly_task_complete(self._handle(), getattr(task_id, "id", task_id), actor)

    def cancel_task(self, task_id: str, *, actor: Optional[str] = None) -> None:
        with self._lock:
            _n.rootly_task_cancel(self._handle(), getattr(task_id, "id", task_id), actor)

    # -- timeline -----------------------------------------------------------
    def timeline(self, ref: IncidentRef, from_seq: int = 1) -> Timeline:
        """The incident's events with seq >= from_seq."""
        r = _nv.ref_of(ref)
        with self._lock:
            return Timeline(_n.rootly_timeline_load(self._handle(), r, from_seq), r)

    def verify(self, ref: IncidentRef) -> VerifyResult:
        """Recompute the hash chain. A broken chain is a VerifyResult with
        ok False (first bad event and reason), not an exception."""
        with self._lock:
            rc, d = _n.rootly_swig_timeline_verify(self._handle(), _nv.ref_of(ref))
            if rc < 0 and rc != _n.ROOTLY_ECORRUPT:
                _nv.raise_last(rc)
        return VerifyResult(ok=rc == 0, events=d["events"], first_bad_seq=d["first_bad_seq"], reason=d["reason"])

    # -- metrics and postmortem ---------------------------------------------
    def incident_metrics(self, ref: IncidentRef) -> IncidentMetrics:
        with self._lock:
            return IncidentMetrics._from(_n.rootly_metrics_incident(self._handle(), _nv.ref_of(ref)))

    def metrics(self, *, group_by: Optional[str] = None, created_from: int = 0, created_to: int = 0) -> MetricsReport:
        """Aggregate TTA/TTM/TTR over incidents created in [created_from,
        created_to), grouped by None, "severity", "service" or "team"."""
        try:
            g = _GROUPS[group_by]
        except KeyError:
            raise ValueError("unknown group_by %r; expected None, severity, service or team" % (group_by,)) from None
        with self._lock:
            return MetricsReport(_n.rootly_swig_metrics_aggregate(self._handle(), created_from, created_to, g))

    def postmortem(self, ref: IncidentRef, format: str = "markdown") -> str:
        """The postmortem document: "markdown" (default) or "json" text."""
        try:
            fmt = _FORMATS[format]
        except KeyError:
            raise ValueError("unknown postmortem format %r; expected markdown or json" % (format,)) from None
        with self._lock:
            return _n.rootly_postmortem_render(self._handle(), _nv.ref_of(ref), fmt)

    # -- workflows ----------------------------------------------------------
    def workflows(self) -> List[Dict[str, Any]]:
        """The configured workflows: [{"name", "enabled", "triggers", "actions", ...}]."""
        with self._lock:
            return _json.loads(_n.rootly_workflow_list(self._handle()))

    def dry_run(self, ref: IncidentRef, trigger: Optional[str] = None) -> Dict[str, Any]:
        """What would run for an incident if `trigger` (default
        "incident_created") happened now -- nothing is changed."""
        with self._lock:
            return _json.loads(_n.rootly_workflow_dry_run(self._handle(), _nv.ref_of(ref), trigger))

    def workflow_runs(self, ref: IncidentRef) -> List[Dict[str, Any]]:
        """The workflow runs of an incident, from its timeline."""
        with self._lock:
            return _json.loads(_n.rootly_workflow_runs(self._handle(), _nv.ref_of(ref)))

    def set_workflow_enabled(self, name: str, enabled: bool = True) -> None:
        with self._lock:
            _n.rootly_workflow_set_enabled(self._handle(), name, int(enabled))

    def cancel_workflow_run(self, ref: IncidentRef, run_id: str, actor: str) -> None:
        """Cancel a run (PermissionDeniedError when the actor may not)."""
        with self._lock:
            _n.rootly_workflow_cancel_run(self._handle(), _nv.ref_of(ref), run_id, actor)

    def tick(self, now: int = 0) -> int:
        """Run the repeating workflows due at `now` (0: the clock); returns the runs started."""
        with self._lock:
            return _n.rootly_swig_workflow_tick(self._handle(), now)

    def permitted(self, user: str, permission: str) -> bool:
        """Whether `user` may perform the override `permission`."""
        with self._lock:
            try:
                _n.rootly_permission_check(self._handle(), user, permission)
                return True
            except _n.PermissionDeniedError:
                return False

    # -- outbox and transports -------------------------------------------------
    def add_transport(self, transport: Union[str, Transport]) -> None:
        """Register a transport: a rootly.Transport written in Python, or a
        built-in one by URI ("record:", "file:PATH", "slack:URL", ...)."""
        with self._lock:
            if isinstance(transport, str):
                _n.rootly_swig_ctx_add_transport_uri(self._handle(), transport)
            elif isinstance(transport, Transport):
                _n.rootly_swig_ctx_add_transport(self._handle(), transport)
                self._transports.append(transport)  # the C side points at it until close
            else:
                raise TypeError("transport must be a URI or a rootly.Transport, not %s" % type(transport).__name__)

    def dispatch(self, max: int = 0) -> int:
        """Deliver the outbox items due now (at most `max`, 0 = all);
        returns how many were handled. Delivery failures are recorded on the
        items and the timeline, not raised."""
        with self._lock:
            return _n.rootly_swig_dispatch(self._handle(), max)

    def outbox(self, state: Optional[str] = None) -> List[Dict[str, Any]]:
        """Outbox items in `state` (pending, in_flight, delivered, failed, dead; None = all)."""
        with self._lock:
            return _json.loads(_n.rootly_outbox_list(self._handle(), state))

    def outbox_retry(self, item_id: str) -> None:
        """Put a failed or dead item back to pending."""
        with self._lock:
            _n.rootly_outbox_retry(self._handle(), item_id)

    def outbox_next_due(self) -> Optional[int]:
        """When the next pending item is due, or None."""
        with self._lock:
            due = _n.rootly_swig_outbox_next_due(self._handle())
        return due or None
