"""Snapshots of what librootly returned: copied out at once, holding no
pointer into the library. Incident and Task also remember the Context they
came from, so that ``incident.transition("started")`` reads naturally; the
snapshot itself never changes (call ``refresh()`` for a new one)."""

from __future__ import annotations

import json as _json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, NamedTuple, Optional, Tuple, Union

from . import _native as _nv
from ._native import n as _n

if TYPE_CHECKING:  # pragma: no cover
    from .context import Context
    from .timeline import Timeline

__all__ = ["IngestItem", "Incident", "Alert", "Task", "Event", "VerifyResult", "IncidentMetrics",
           "MetricSummary", "MetricsRow"]


class IngestItem(NamedTuple):
    """What happened to one alert of an ingested payload (a named tuple:
    ``item.outcome``, ``item._asdict()``)."""

    outcome: str                  #: "created", "attached", "deduplicated", "resolved", ...
    alert_id: Optional[str]       #: stored alert id; None when rejected
    fingerprint: Optional[str]    #: dedup key
    incident_id: Optional[str]    #: incident concerned, if any
    incident_ref: Optional[str]   #: "INC-7", if any
    status: Optional[str]         #: "firing" / "resolved"
    reason: Optional[str] = None  #: why dropped / rejected / deduplicated


@dataclass(frozen=True)
class Incident:
    """A snapshot of a stored incident."""

    id: str
    number: int
    ref: str                      #: "INC-<number>"
    title: str
    summary: str
    severity: Optional[int]       #: 0 (SEV0, most severe) .. 4; None when unset
    status: str                   #: one of rootly.STATUSES
    revision: int
    created_at: int
    detected_at: int
    acknowledged_at: Optional[int]
    #: when the incident entered each status it has been in
    status_at: Dict[str, int] = field(default_factory=dict)
    services: Tuple[str, ...] = ()
    teams: Tuple[str, ...] = ()
    labels: Dict[str, str] = field(default_factory=dict)
    roles: Dict[str, str] = field(default_factory=dict)
    group_key: str = ""
    alerts_count: int = 0
    _ctx: Optional["Context"] = field(default=None, repr=False, compare=False, hash=False)

    @property
    def severity_name(self) -> Optional[str]:
        """"SEV1", ... or None."""
        return None if self.severity is None else _n.rootly_severity_name(self.severity)

    @property
    def is_open(self) -> bool:
        return self.status in _nv.OPEN_STATUSES

    @classmethod
    def _from_handle(cls, h: Any, ctx: Optional["Context"] = None) -> "Incident":
        """Copy everything out of a rootly_incident (owned or borrowed)."""
        sev = _n.rootly_incident_severity(h)
        status_at = {}
        for i, name in enumerate(_nv.STATUSES):
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
            status=_nv.STATUSES[_n.rootly_incident_status_get(h)],
            revision=_n.rootly_incident_revision(h),
            created_at=_n.rootly_incident_created_at(h),
            detected_at=_n.rootly_incident_detected_at(h),
            acknowledged_at=_nv.ms_or_none(_n.rootly_incident_acknowledged_at(h)),
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
            _ctx=ctx,
        )

    # -- acting on the incident through the Context it came from ----------
    def _c(self) -> "Context":
        if self._ctx is None:
            raise ValueError("this Incident is not bound to a Context")
        return self._ctx

    def refresh(self) -> "Incident":
        """A new snapshot, loaded from the store now."""
        return self._c().get_incident(self.id)

    def transition(self, to: Union[str, int], **kw: Any) -> "Incident":
        """Move to status ``to`` (see Context.transition); returns the new snapshot."""
        self._c().transition(self.id, to, **kw)
        return self.refresh()

    def acknowledge(self, *, actor: Optional[str] = None) -> "Incident":
        self._c().acknowledge(self.id, actor=actor)
        return self.refresh()

    def update(self, **kw: Any) -> "Incident":
        """Change fields (see Context.update_incident); returns the new snapshot."""
        self._c().update_incident(self.id, **kw)
        return self.refresh()

    def assign_role(self, role: str, user: str, *, actor: Optional[str] = None) -> None:
        self._c().assign_role(self.id, role, user, actor=actor)

    def add_note(self, text: str, *, actor: Optional[str] = None) -> None:
        self._c().add_note(self.id, text, actor=actor)

    def add_task(self, title: str, **kw: Any) -> "Task":
        return self._c().create_task(self.id, title, **kw)

    def tasks(self) -> List["Task"]:
        return self._c().tasks(self.id)

    def timeline(self, from_seq: int = 1) -> "Timeline":
        return self._c().timeline(self.id, from_seq)

    def alerts(self) -> List["Alert"]:
        return self._c().incident_alerts(self.id)

    def metrics(self) -> "IncidentMetrics":
        return self._c().incident_metrics(self.id)

    def postmortem(self, format: str = "markdown") -> str:
        return self._c().postmortem(self.id, format)


@dataclass(frozen=True)
class Alert:
    """A stored alert (docs/data-model.md, collection ``alert``)."""

    id: str
    source: str
    fingerprint: str
    status: str
    summary: str
    labels: Dict[str, str]
    annotations: Dict[str, str]
    incident_id: Optional[str]
    starts_at: Optional[int]
    ends_at: Optional[int]
    document: Dict[str, Any] = field(repr=False, compare=False)  #: the whole stored document

    @classmethod
    def _from_doc(cls, d: Mapping[str, Any]) -> "Alert":
        return cls(id=d.get("id", ""), source=d.get("source", ""), fingerprint=d.get("fingerprint", ""),
                   status=d.get("status", ""), summary=d.get("summary") or "",
                   labels=dict(d.get("labels") or {}), annotations=dict(d.get("annotations") or {}),
                   incident_id=d.get("incident_id"), starts_at=d.get("starts_at") or None,
                   ends_at=d.get("ends_at") or None, document=dict(d))


@dataclass(frozen=True)
class Task:
    """A task or follow-up action item of an incident."""

    id: str
    incident_id: str
    title: str
    description: str
    assignee: Optional[str]
    priority: str
    kind: str                   #: "task" or "follow_up"
    status: str                 #: "open", "done", "cancelled"
    created_at: int
    due_at: Optional[int]
    completed_at: Optional[int]
    completed_by: Optional[str]
    _ctx: Optional["Context"] = field(default=None, repr=False, compare=False, hash=False)

    @classmethod
    def _from(cls, d: Mapping[str, Any], ctx: Optional["Context"]) -> "Task":
        return cls(id=d["id"], incident_id=d["incident_id"], title=d["title"],
                   description=d["description"] or "", assignee=d["assignee"], priority=d["priority"],
                   kind=d["kind"], status=d["status"], created_at=d["created_at"],
                   due_at=_nv.ms_or_none(d["due_at"]), completed_at=_nv.ms_or_none(d["completed_at"]),
                   completed_by=d["completed_by"], _ctx=ctx)

    def _c(self) -> "Context":
        if self._ctx is None:
            raise ValueError("this Task is not bound to a Context")
        return self._ctx

    def complete(self, *, actor: Optional[str] = None) -> None:
        self._c().complete_task(self.id, actor=actor)

    def cancel(self, *, actor: Optional[str] = None) -> None:
        self._c().cancel_task(self.id, actor=actor)

    def assign(self, assignee: Optional[str], *, actor: Optional[str] = None) -> None:
        self._c().assign_task(self.id, assignee, actor=actor)


@dataclass(frozen=True)
class Event:
    """One timeline event (hash-chained; see rootly/timeline.h)."""

    seq: int
    at: int
    id: str
    actor: str
    kind: str
    body_json: str = field(repr=False)
    prev_hash: str = field(repr=False)
    hash: str = field(repr=False)

    @property
    def body(self) -> Dict[str, Any]:
        """The event body, parsed."""
        return _json.loads(self.body_json)

    @classmethod
    def _from(cls, d: Mapping[str, Any]) -> "Event":
        return cls(seq=d["seq"], at=d["at"], id=d["id"], actor=d["actor"], kind=d["kind"],
                   body_json=d["body"], prev_hash=d["prev_hash"], hash=d["hash"])


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of a timeline verification."""

    ok: bool
    events: int            #: events checked
    first_bad_seq: int     #: 0 when everything verified
    reason: str            #: what was wrong with first_bad_seq ("" when ok)

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class IncidentMetrics:
    """TTA/TTM/TTR of one incident in ms; None while not (yet) defined."""

    detected_at: int
    tta_ms: Optional[int]
    ttm_ms: Optional[int]
    ttr_ms: Optional[int]

    @classmethod
    def _from(cls, d: Mapping[str, int]) -> "IncidentMetrics":
        def opt(v: int) -> Optional[int]:
            return None if v < 0 else v
        return cls(detected_at=d["detected_at"], tta_ms=opt(d["tta_ms"]), ttm_ms=opt(d["ttm_ms"]),
                   ttr_ms=opt(d["ttr_ms"]))


@dataclass(frozen=True)
class MetricSummary:
    """One metric over a set of incidents (ms); count 0 when never defined."""

    count: int
    mean: float
    p50: int
    p90: int
    p99: int
    min: int
    max: int


@dataclass(frozen=True)
class MetricsRow:
    """One group of an aggregate ("all", "SEV1", a service or a team)."""

    group: str
    incidents: int
    tta: MetricSummary
    ttm: MetricSummary
    ttr: MetricSummary

    @classmethod
    def _from(cls, d: Mapping[str, Any]) -> "MetricsRow":
        return cls(group=d["group"], incidents=d["incidents"], tta=MetricSummary(**d["tta"]),
                   ttm=MetricSummary(**d["ttm"]), ttr=MetricSummary(**d["ttr"]))
