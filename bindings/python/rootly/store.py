"""Storage backends written in Python (rootly/sys/store.h, conventions §10.12).

Subclass ``Store`` and implement its methods; hand an instance to
``Context(store=...)``. librootly calls it through a C vtable built by the
binding's C++ shim (a SWIG director). The contract is the C one:

- records live in named collections, each with an id, a revision (1 on the
  first put, +1 on each put) and indexed fields (status, key, group_key,
  service, severity, time) that ``find`` filters on and orders by
  (time, id);
- streams are append-only logs whose entries have seq 1, 2, 3, ...;
- sequences are named counters (first value 1);
- transactions nest: ``begin`` inside a transaction opens a savepoint,
  ``commit`` releases the innermost level, ``rollback`` undoes only it;
  ``commit``/``rollback`` with none open is an InvalidError. Writes may also
  come outside any transaction (each is then its own).

Report failures by raising: a ``rootly.Error`` subclass gives its code
(ConflictError for a revision or sequence mismatch, NotFoundError for a
missing record, InvalidError for bad arguments); any other exception becomes
ROOTLY_EIO. Either way librootly gets the code and a message naming the
method and the exception -- never a crash. The library calls the store from
one thread at a time (the context's thread); the binding takes the GIL.

``DictStore`` is a complete in-memory implementation to start from.
"""

from __future__ import annotations

import copy as _copy
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from ._native import n as _n

__all__ = ["Store", "Record", "Query", "DictStore", "RawStore"]


@dataclass(frozen=True)
class Record:
    """A stored record. ``json`` is the document (text of a JSON object)."""

    id: str
    json: str
    revision: int = 0
    status: Optional[str] = None
    key: Optional[str] = None
    group_key: Optional[str] = None
    service: Optional[str] = None
    severity: Optional[str] = None
    time: int = 0


@dataclass(frozen=True)
class Query:
    """Filters of Store.find; None / 0 members do not filter."""

    id: Optional[str] = None
    status: Optional[str] = None
    key: Optional[str] = None
    group_key: Optional[str] = None
    service: Optional[str] = None
    severity: Optional[str] = None
    time_from: int = 0          #: inclusive
    time_to: int = 0            #: exclusive
    limit: int = 0
    descending: bool = False

    def matches(self, r: Record) -> bool:
        for name in ("id", "status", "key", "group_key", "service", "severity"):
            want = getattr(self, name)
            if want is not None and getattr(r, name) != want:
                return False
        if self.time_from and r.time < self.time_from:
            return False
        if self.time_to and r.time >= self.time_to:
            return False
        return True

    def apply(self, records: Iterable[Record]) -> List[Record]:
        """Filter, order by (time, id) and limit, as find must."""
        out = sorted((r for r in records if self.matches(r)), key=lambda r: (r.time, r.id),
                     reverse=self.descending)
        return out[: self.limit] if self.limit else out


def _fail(slot: str, e: BaseException) -> int:
    code = getattr(e, "code", None)
    if not isinstance(e, _n.Error) or not isinstance(code, int) or code >= 0:
        code = _n.ROOTLY_EIO
    text = getattr(e, "message", "") if isinstance(e, _n.Error) else ""
    text = text or str(e)
    msg = "%s: %s%s" % (slot, type(e).__name__, (": " + text) if text else "")
    return _n.rootly_swig_store_fail(code, msg)


def _guarded(slot: str, fn: Callable[[], Any]) -> int:
    try:
        fn()
        return 0
    except Exception as e:  # every exception becomes a status (the C side must not see it)
        return _fail(slot, e)


class Store(_n.StoreBackend):
    """Base class of a storage backend written in Python. Override the
    methods below; the raw_* methods are the adapter librootly calls."""

    #: backend name used in librootly's messages
    name = "python"

    def __init__(self) -> None:
        _n.StoreBackend.__init__(self)

    # -- the interface to implement ----------------------------------------
    def begin(self) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def rollback(self) -> None:
        raise NotImplementedError

    def get(self, collection: str, id: str) -> Optional[Record]:
        """The record, or None."""
        raise NotImplementedError

    def put(self, collection: str, record: Record, expected_revision: int) -> int:
        """Insert or replace; return the new revision. expected_revision 0:
        must not exist; > 0: must equal the stored revision; -1: no check
        (else ConflictError)."""
        raise NotImplementedError

    def delete(self, collection: str, id: str) -> None:
        """NotFoundError if absent."""
        raise NotImplementedError

    def find(self, collection: str, query: Query) -> Iterable[Record]:
        """Matching records ordered by (time, id) (Query.apply does it all)."""
        raise NotImplementedError

    def append(self, stream: str, seq: int, data: bytes) -> None:
        """seq must be last + 1 (else ConflictError)."""
        raise NotImplementedError

    def read(self, stream: str, from_seq: int, max: int) -> Iterable[Tuple[int, bytes]]:
        """(seq, data) with seq >= from_seq, ascending, at most max (0 = all)."""
        raise NotImplementedError

    def last(self, stream: str) -> int:
        """The last seq of a stream, 0 if empty or absent."""
        raise NotImplementedError

    def next_value(self, name: str) -> int:
        """Increment and return a named counter (first value 1)."""
        raise NotImplementedError

    def check(self) -> None:
        """Check the backend's integrity; raise StorageError if broken."""

    def close(self) -> None:
        """Called once when the library frees the store."""

    # -- the director methods (called by the C shim; do not override) -------
    def raw_name(self) -> str:
        return str(self.name)

    def raw_begin(self) -> int:
        return _guarded("begin", self.begin)

    def raw_commit(self) -> int:
        return _guarded("commit", self.commit)

    def raw_rollback(self) -> int:
        return _guarded("rollback", self.rollback)

    def raw_record_get(self, collection: str, id: str, reply: Any) -> int:
        def run() -> None:
            r = self.get(collection, id)
            if r is not None:
                reply.add_record(r.id, r.revision, r.json, r.status, r.key, r.group_key, r.service,
                                 r.severity, r.time)
        return _guarded("get", run)

    def raw_record_put(self, collection: str, rec: Any, expected_revision: int, reply: Any) -> int:
        record = Record(id=rec.id(), json=rec.json(), status=rec.status(), key=rec.key(),
                        group_key=rec.group_key(), service=rec.service(), severity=rec.severity(),
                        time=rec.time())

        def run() -> None:
            rev = self.put(collection, record, expected_revision)
            reply.set_value(int(rev))
        return _guarded("put", run)

    def raw_record_delete(self, collection: str, id: str, reply: Any) -> int:
        return _guarded("delete", lambda: self.delete(collection, id))

    def raw_record_find(self, collection: str, q: Any, reply: Any) -> int:
        query = Query(id=q.id(), status=q.status(), key=q.key(), group_key=q.group_key(), service=q.service(),
                      severity=q.severity(), time_from=q.time_from(), time_to=q.time_to(), limit=q.limit(),
                      descending=q.descending())

        def run() -> None:
            for r in self.find(collection, query):
                reply.add_record(r.id, r.revision, r.json, r.status, r.key, r.group_key, r.service,
                                 r.severity, r.time)
        return _guarded("find", run)

    def raw_stream_append(self, stream: str, seq: int, data: bytes, reply: Any) -> int:
        return _guarded("append", lambda: self.append(stream, seq, data))

    def raw_stream_read(self, stream: str, from_seq: int, max: int, reply: Any) -> int:
        def run() -> None:
            for seq, data in self.read(stream, from_seq, max):
                reply.add_entry(seq, data)
        return _guarded("read", run)

    def raw_stream_last(self, stream: str, reply: Any) -> int:
        return _guarded("last", lambda: reply.set_value(int(self.last(stream))))

    def raw_sequence_next(self, name: str, reply: Any) -> int:
        return _guarded("next_value", lambda: reply.set_value(int(self.next_value(name))))

    def raw_check(self, reply: Any) -> int:
        return _guarded("check", self.check)

    def raw_close(self) -> None:
        try:
            self.close()
        except Exception:  # nothing to report to: the C free slot returns void
            pass


class DictStore(Store):
    """A complete store in Python dicts: a reference implementation and a
    starting point (transactions keep a snapshot per level)."""

    name = "python-dict"

    def __init__(self) -> None:
        super().__init__()
        self.records: Dict[str, Dict[str, Record]] = {}
        self.streams: Dict[str, List[bytes]] = {}
        self.sequences: Dict[str, int] = {}
        self._levels: List[Tuple[Any, Any, Any]] = []
        self.closed = False

    def _snapshot(self) -> Tuple[Any, Any, Any]:
        return ({c: dict(d) for c, d in self.records.items()},
                {s: list(e) for s, e in self.streams.items()}, dict(self.sequences))

    def begin(self) -> None:
        self._levels.append(self._snapshot())

    def commit(self) -> None:
        if not self._levels:
            raise _n.InvalidError("commit: no transaction is open")
        self._levels.pop()

    def rollback(self) -> None:
        if not self._levels:
            raise _n.InvalidError("rollback: no transaction is open")
        self.records, self.streams, self.sequences = self._levels.pop()

    def get(self, collection: str, id: str) -> Optional[Record]:
        return self.records.get(collection, {}).get(id)

    def put(self, collection: str, record: Record, expected_revision: int) -> int:
        coll = self.records.setdefault(collection, {})
        old = coll.get(record.id)
        if expected_revision == 0 and old is not None:
            raise _n.ConflictError("%s/%s already exists" % (collection, record.id))
        if expected_revision > 0 and (old is None or old.revision != expected_revision):
            raise _n.ConflictError("%s/%s: revision %s, expected %d"
                                   % (collection, record.id, old.revision if old else "absent", expected_revision))
        rev = (old.revision if old else 0) + 1
        coll[record.id] = replace(record, revision=rev)
        return rev

    def delete(self, collection: str, id: str) -> None:
        coll = self.records.get(collection, {})
        if id not in coll:
            raise _n.NotFoundError("%s/%s: not found" % (collection, id))
        del coll[id]

    def find(self, collection: str, query: Query) -> Iterable[Record]:
        return query.apply(self.records.get(collection, {}).values())

    def append(self, stream: str, seq: int, data: bytes) -> None:
        entries = self.streams.setdefault(stream, [])
        if seq != len(entries) + 1:
            raise _n.ConflictError("%s: seq %d, expected %d" % (stream, seq, len(entries) + 1))
        entries.append(bytes(data))

    def read(self, stream: str, from_seq: int, max: int) -> Iterable[Tuple[int, bytes]]:
        entries = self.streams.get(stream, [])
        start = max_(from_seq, 1)
        out = [(i, entries[i - 1]) for i in range(start, len(entries) + 1)]
        return out[:max] if max else out

    def last(self, stream: str) -> int:
        return len(self.streams.get(stream, []))

    def next_value(self, name: str) -> int:
        v = self.sequences.get(name, 0) + 1
        self.sequences[name] = v
        return v

    def close(self) -> None:
        self._levels.clear()
        self.closed = True

    def copy(self) -> "DictStore":
        """A deep copy of the committed state (for tests)."""
        other = DictStore()
        other.records = _copy.deepcopy(self.records)
        other.streams = _copy.deepcopy(self.streams)
        other.sequences = dict(self.sequences)
        return other


max_ = max


class RawStore:
    """Any store driven slot by slot through its C vtable, for conformance
    tests: ``RawStore("memory:")``, ``RawStore("sqlite:/tmp/x.db")`` or
    ``RawStore(my_python_store)`` (through the C++ shim). Each method
    returns (status, value) like the C slot; nothing raises."""

    def __init__(self, target: Any) -> None:
        self._raw = _n.RawStore()
        self._target = target  # keeps a Python store alive while the vtable is used
        rc = self._raw.open(target) if isinstance(target, str) else self._raw.wrap(target)
        if rc < 0:
            from ._native import raise_last
            raise_last(rc)

    @property
    def name(self) -> str:
        return self._raw.name()

    @property
    def has_check(self) -> bool:
        return self._raw.has_check()

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> "RawStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def stop_after(self, calls: int, value: int) -> None:
        """Make the record/entry callback return `value` on its `calls`-th call (0: never)."""
        self._raw.stop_after(calls, value)

    @property
    def calls(self) -> int:
        return self._raw.calls()

    def begin(self) -> int:
        return self._raw.begin()

    def commit(self) -> int:
        return self._raw.commit()

    def rollback(self) -> int:
        return self._raw.rollback()

    @staticmethod
    def _records(reply: Any) -> List[Record]:
        out = []
        for i in range(reply.records_count()):
            r = reply.record(i)
            out.append(Record(id=r.id(), json=r.json(), revision=r.revision(), status=r.status(), key=r.key(),
                              group_key=r.group_key(), service=r.service(), severity=r.severity(), time=r.time()))
        return out

    def get(self, collection: Optional[str], id: Optional[str]) -> Tuple[int, Optional[Record]]:
        reply = _n.StoreReply()
        rc = self._raw.record_get(collection, id, reply)
        recs = self._records(reply)
        return rc, (recs[0] if recs else None)

    def put(self, collection: Optional[str], record: Record, expected_revision: int) -> Tuple[int, int]:
        reply = _n.StoreReply()
        rc = self._raw.record_put(collection, record.id, record.json, record.status, record.key, record.group_key,
                                  record.service, record.severity, record.time, expected_revision, reply)
        return rc, reply.value()

    def delete(self, collection: Optional[str], id: Optional[str]) -> int:
        return self._raw.record_delete(collection, id)

    def find(self, collection: Optional[str], query: Optional[Query] = None) -> Tuple[int, List[Record]]:
        reply = _n.StoreReply()
        q = query or Query()
        rc = self._raw.record_find(collection, query is not None, q.id, q.status, q.key, q.group_key, q.service,
                                   q.severity, q.time_from, q.time_to, q.limit, q.descending, reply)
        return rc, self._records(reply)

    def append(self, stream: Optional[str], seq: int, data: Optional[bytes]) -> int:
        if data is None:
            return self._raw.stream_append(stream, seq, b"", True)
        return self._raw.stream_append(stream, seq, data)

    def read(self, stream: Optional[str], from_seq: int = 1, max: int = 0) -> Tuple[int, List[Tuple[int, bytes]]]:
        reply = _n.StoreReply()
        rc = self._raw.stream_read(stream, from_seq, max, reply)
        return rc, [(reply.entry_seq(i), reply.entry_data(i)) for i in range(reply.entries_count())]

    def last(self, stream: Optional[str]) -> Tuple[int, int]:
        reply = _n.StoreReply()
        rc = self._raw.stream_last(stream, reply)
        return rc, reply.value()

    def next_value(self, name: Optional[str]) -> Tuple[int, int]:
        reply = _n.StoreReply()
        rc = self._raw.sequence_next(name, reply)
        return rc, reply.value()

    def check(self) -> int:
        return self._raw.check()
