"""Objects that hold a C handle: a loaded Timeline and a MetricsReport.

Their content is copied out when they are made (so iterating never touches
the library); the handle stays only for the JSON / Prometheus renderings,
and is freed by ``close()``, by ``with``, or when the object is collected.
"""

from __future__ import annotations

import json as _json
from typing import Any, Iterator, List, Optional, Sequence, overload

from ._native import n as _n
from .models import Event, MetricsRow

__all__ = ["Timeline", "MetricsReport"]


class _Handle:
    _h: Any

    def close(self) -> None:
        """Free the C object now. Idempotent; the copied content stays usable."""
        h, self._h = self._h, None
        if h is not None:
            h.__swig_destroy__(h)
            h.thisown = False

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _handle(self) -> Any:
        if self._h is None:
            raise ValueError("operation on a closed %s" % type(self).__name__)
        return self._h


class Timeline(_Handle, Sequence[Event]):
    """The events of one incident, oldest first (a read-only sequence)."""

    def __init__(self, handle: Any, incident: str) -> None:
        self._h = handle
        self.incident = incident
        self._events: List[Event] = [Event._from(_n.rootly_timeline_at(handle, i))
                                     for i in range(_n.rootly_timeline_count(handle))]

    def __len__(self) -> int:
        return len(self._events)

    @overload
    def __getitem__(self, i: int) -> Event: ...
    @overload
    def __getitem__(self, i: slice) -> List[Event]: ...

    def __getitem__(self, i: Any) -> Any:
        return self._events[i]

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    def kinds(self) -> List[str]:
        """The event kinds in order ("incident.created", "status.changed", ...)."""
        return [e.kind for e in self._events]

    def to_json(self) -> List[Any]:
        """The timeline as librootly renders it (a list of dicts)."""
        return _json.loads(_n.rootly_timeline_to_json(self._handle()))

    def __repr__(self) -> str:
        return "<rootly.Timeline %s: %d events>" % (self.incident, len(self._events))


class MetricsReport(_Handle, Sequence[MetricsRow]):
    """Aggregate TTA/TTM/TTR rows, sorted by group name."""

    def __init__(self, handle: Any) -> None:
        self._h = handle
        self._rows: List[MetricsRow] = [MetricsRow._from(_n.rootly_metrics_report_at(handle, i))
                                        for i in range(_n.rootly_metrics_report_count(handle))]

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i: Any) -> Any:
        return self._rows[i]

    def __iter__(self) -> Iterator[MetricsRow]:
        return iter(self._rows)

    def row(self, group: str) -> Optional[MetricsRow]:
        """The row of `group` ("all", "SEV1", a service or team), or None."""
        for r in self._rows:
            if r.group == group:
                return r
        return None

    def to_json(self) -> Any:
        return _json.loads(_n.rootly_metrics_report_to_json(self._handle()))

    def to_prometheus(self) -> str:
        """The Prometheus text exposition format 0.0.4."""
        return _n.rootly_metrics_report_to_prometheus(self._handle())
