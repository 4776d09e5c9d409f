"""Stores written in Python for the C store conformance suite (main.c).

main.c embeds CPython, imports this module and calls open_store(kind) for
each case: a fresh store object, wrapped in a C vtable by the binding's
shim (rootly_swig_store_address), is returned as an address. The vtable
holds no reference to the object, so every object handed out is kept in
_live until finish() (a case frees its vtable, which calls close(), at its
own time).
"""

import rootly
from rootly import rootly_native as _n

_live = []


class FailingStore(rootly.DictStore):
    """A DictStore whose methods raise, the way a buggy or broken store
    would: librootly must get an error code and the exception's message."""

    name = "python-failing"

    def get(self, collection, id):
        raise RuntimeError("disk on fire while reading %s/%s" % (collection, id))

    def put(self, collection, record, expected_revision):
        raise rootly.ConflictError("refused by the python store: %s" % record.id)

    def last(self, stream):
        return "not a number"  # int() of it raises ValueError in the adapter

    def raw_record_delete(self, collection, id, reply):
        # Overrides the adapter itself, so the exception leaves the Python
        # method: the director's exception handler must turn it into a code.
        raise KeyError("raw delete of %s exploded" % id)

    def raw_sequence_next(self, name, reply):
        return None  # not an int: a director type error, not a crash


_KINDS = {"dict": rootly.DictStore, "failing": FailingStore}


def open_store(kind):
    store = _KINDS[kind]()
    address = _n.rootly_swig_store_address(store)
    if address:
        _live.append(store)
    return address


def finish():
    del _live[:]
