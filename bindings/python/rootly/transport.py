"""Transports written in Python (rootly/sys/transport.h): deliver outbox
items -- a workflow's create_channel, post_message, ticket, status page or
webhook action -- to an outside service.

Subclass ``Transport``, set ``capabilities`` (a set of names: "chat",
"ticket", "statuspage", "webhook", "kb"; default all) and implement
``deliver(delivery)``:

- return None, or a dict (the result, merged into the incident: see
  docs/outbox.md, e.g. {"channel_id": "C1", "channel_name": "inc-7"});
- raise ``RetryLater(reason, retry_after_ms=None)`` for a failure that may
  pass (the dispatcher retries with backoff), ``DeliveryFailed(reason)``
  for one that cannot;
- any other exception is a retryable failure whose reason is the
  exception's text -- never a crash.

Register it with ``ctx.add_transport(MyTransport())``; ``ctx.dispatch()``
then delivers what is due (delivery is at least once: pass
``delivery.idempotency_key`` on to services that accept one).
"""

from __future__ import annotations

import json as _json
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Optional

from ._native import n as _n

__all__ = ["Transport", "Delivery", "RetryLater", "DeliveryFailed", "CAPABILITIES"]

CAPABILITIES = {
    "chat": _n.ROOTLY_CAP_CHAT,
    "ticket": _n.ROOTLY_CAP_TICKET,
    "statuspage": _n.ROOTLY_CAP_STATUSPAGE,
    "webhook": _n.ROOTLY_CAP_WEBHOOK,
    "kb": _n.ROOTLY_CAP_KB,
    "conference": _n.ROOTLY_CAP_CONFERENCE,
    "pager": _n.ROOTLY_CAP_PAGER,
}


@dataclass(frozen=True)
class Delivery:
    """One outbox item to deliver."""

    item_id: str
    incident_id: str
    action: str              #: "chat.create_channel", "ticket.create", ...
    params: Dict[str, Any]   #: the action's parameters, templates rendered
    idempotency_key: str     #: stable across retries of this item
    attempt: int             #: 1 for the first delivery


class RetryLater(Exception):
    """A failure that may pass: the item is retried with backoff."""

    def __init__(self, reason: str, retry_after_ms: Optional[int] = None, http_status: int = 0) -> None:
        super().__init__(reason)
        self.retry_after_ms = retry_after_ms
        self.http_status = http_status


class DeliveryFailed(Exception):
    """A permanent failure: retrying cannot help (bad parameters, 4xx)."""

    def __init__(self, reason: str, http_status: int = 0) -> None:
        super().__init__(reason)
        self.http_status = http_status


def _mask(caps: Iterable[str]) -> int:
    m = 0
    for c in caps:
        try:
            m |= CAPABILITIES[c]
        except KeyError:
            raise ValueError("unknown capability %r; expected %s" % (c, ", ".join(CAPABILITIES))) from None
    return m


class Transport(_n.TransportBackend):
    """Base class of a transport written in Python (see the module doc)."""

    #: name shown in messages and on the timeline
    name = "python"
    #: capabilities served
    capabilities: Iterable[str] = tuple(CAPABILITIES)

    def __init__(self) -> None:
        _n.TransportBackend.__init__(self)

    def deliver(self, delivery: Delivery) -> Optional[Dict[str, Any]]:
        raise NotImplementedError

    def close(self) -> None:
        """Called once when the context frees the transport."""

    # -- director side (called by the C shim) ---------------------------------
    def raw_name(self) -> str:
        return str(self.name)

    def raw_capabilities(self) -> int:
        return _mask(self.capabilities)

    def raw_deliver(self, item_id: str, incident_id: str, action: str, params_json: str, key: str, attempt: int,
                    reply: Any) -> int:
        try:
            params = _json.loads(params_json) if params_json else {}
            result = self.deliver(Delivery(item_id=item_id, incident_id=incident_id, action=action, params=params,
                                           idempotency_key=key, attempt=attempt))
            reply.ok(None if result is None else _json.dumps(result))
        except RetryLater as e:
            reply.retry(str(e) or "retry", -1 if e.retry_after_ms is None else int(e.retry_after_ms))
            reply.set_http_status(e.http_status)
        except DeliveryFailed as e:
            reply.permanent(str(e) or "failed")
            reply.set_http_status(e.http_status)
        except Exception as e:  # a bug or an outage: retryable, with its text
            reply.retry("%s: %s" % (type(e).__name__, e))
        return 0

    def raw_close(self) -> None:
        try:
            self.close()
        except Exception:
            pass
