/*
 * bindings/swig/rootly_swig_shim.hpp — the C++ shim that lets Python and Go
 * objects be librootly storage backends (conventions §10.12). Compiled only
 * into the binding modules (header-only: it is %included by
 * rootly_backends.i and pulled into each generated wrapper).
 *
 * SWIG directors exist only for C++ classes, so a host-language store
 * derives from rootly_swig::StoreBackend (a director class) and the shim
 * builds the C vtable (rootly/sys/store.h) whose slots call its virtuals.
 * The virtuals take no C out-pointers and no C callbacks, only plain values
 * and a StoreReply that collects what they return; the C trampolines then
 * hand the collected records to the library's callbacks *after* the host
 * method returned, so a callback that calls back into the store (the
 * conformance suite does) never re-enters host code half-way through.
 *
 * Errors never unwind into C: every trampoline catches everything. A host
 * method reports a failure by returning a negative rootly_error_code after
 * StoreReply::fail (which records the message), or by raising — the Python
 * module turns an exception into HostError (director:except), the Go
 * package recovers panics itself. An unexplained failure gets a message
 * naming the slot.
 *
 * Lifetime: the vtable does not own the host object. The binding keeps the
 * object alive until the context (or RawStore) that uses it is freed.
 */
#ifndef ROOTLY_SWIG_SHIM_HPP
#define ROOTLY_SWIG_SHIM_HPP

#include <stdint.h>
#include <string.h>

#include <exception>
#include <new>
#include <string>
#include <vector>

#ifndef SWIG
extern "C" {
#include "rootly.h"
#include "rootly/sys/errors.h"
#include "rootly/sys/store.h"
#include "rootly/sys/transport.h"
}
#endif

namespace rootly_swig {

/** An exception a binding throws from host code: a status and its message. */
class HostError : public std::exception {
public:
	HostError(int code, const std::string &message) : code_(code < 0 ? code : ROOTLY_EIO), message_(message) {}
	const char *what() const noexcept override { return message_.c_str(); }
	int code() const { return code_; }
private:
	int code_;
	std::string message_;
};

/** A string that may be absent (C NULL). */
class OptString {
public:
	OptString() : set_(false) {}
	explicit OptString(const char *s) : set_(s != NULL), s_(s ? s : "") {}
	const char *c_str() const { return set_ ? s_.c_str() : NULL; }
private:
	bool set_;
	std::string s_;
};

/** A record owned by a StoreReply (what a backend returns). */
class StoredRecord {
public:
	StoredRecord(const char *id, int64_t revision, const char *json, const char *status, const char *key,
		const char *group_key, const char *service, const char *severity, int64_t time)
		: id_(id), json_(json), status_(status), key_(key), group_key_(group_key), service_(service),
		  severity_(severity), revision_(revision), time_(time) {}
	const char *id() const { return id_.c_str(); }
	int64_t revision() const { return revision_; }
	const char *json() const { return json_.c_str(); }
	const char *status() const { return status_.c_str(); }
	const char *key() const { return key_.c_str(); }
	const char *group_key() const { return group_key_.c_str(); }
	const char *service() const { return service_.c_str(); }
	const char *severity() const { return severity_.c_str(); }
	int64_t time() const { return time_; }
#ifndef SWIG
	rootly_record view() const
	{
		rootly_record r;
		r.id = id();
		r.revision = revision_;
		r.json = json();
		r.status = status();
		r.key = key();
		r.group_key = group_key();
		r.service = service();
		r.severity = severity();
		r.time = time_;
		return r;
	}
#endif
private:
	OptString id_, json_, status_, key_, group_key_, service_, severity_;
	int64_t revision_, time_;
};

/** Bytes (a stream entry's data); Python sees bytes, Go a string. */
struct Bytes {
	std::string data;
};

/**
 * What a backend method returns, collected: records (get, find), stream
 * entries (read) and one integer (put's new revision, last, next).
 */
class StoreReply {
public:
	StoreReply() : value_(0), has_value_(false) {}
	/** Add a record to the answer. Strings may be None/NULL except id and json. */
	void add_record(const char *id, int64_t revision, const char *json, const char *status = NULL,
		const char *key = NULL, const char *group_key = NULL, const char *service = NULL,
		const char *severity = NULL, int64_t time = 0)
	{
		records_.push_back(StoredRecord(id, revision, json, status, key, group_key, service, severity, time));
	}
	/**
	 * add_record for hosts without a NULL string (Go): the optional fields
	 * are always passed, and `present` says which are set (bits as in
	 * Record::present); a field whose bit is clear is stored as NULL, so ""
	 * and absent stay apart. id and json must not be NULL.
	 */
	void add_record_present(const char *id, int64_t revision, const char *json, const char *v_status,
		const char *v_key, const char *v_group_key, const char *v_service, const char *v_severity,
		int64_t time, unsigned present)
	{
		records_.push_back(StoredRecord(id, revision, json, (present & 1u) ? v_status : NULL,
			(present & 2u) ? v_key : NULL, (present & 4u) ? v_group_key : NULL,
			(present & 8u) ? v_service : NULL, (present & 16u) ? v_severity : NULL, time));
	}
	/** Add a stream entry to the answer. */
	void add_entry(int64_t seq, const std::string &data)
	{
		seqs_.push_back(seq);
		datas_.push_back(data);
	}
	void set_value(int64_t v) { value_ = v; has_value_ = true; }
	/** Record an error message for the calling thread and return `code`. */
	int fail(int code, const char *message)
	{
		if (code >= 0)
			code = ROOTLY_EIO;
		return rootly_error_set(code, ROOTLY_ERROR_CALLBACK, 0, "%s", message ? message : rootly_strerror(code));
	}
	size_t records_count() const { return records_.size(); }
	const StoredRecord &record_at(size_t i) const { return records_.at(i); }
	size_t entries_count() const { return seqs_.size(); }
	int64_t entry_seq(size_t i) const { return seqs_.at(i); }
	Bytes entry_data(size_t i) const { Bytes b; b.data = datas_.at(i); return b; }
	std::string entry_text(size_t i) const { return datas_.at(i); }
	int64_t value() const { return value_; }
	bool has_value() const { return has_value_; }
	void clear() { records_.clear(); seqs_.clear(); datas_.clear(); value_ = 0; has_value_ = false; }
private:
	std::vector<StoredRecord> records_;
	std::vector<int64_t> seqs_;
	std::vector<std::string> datas_;
	int64_t value_;
	bool has_value_;
};

/** A record passed to a backend's put: borrowed for the call. */
class Record {
public:
#ifndef SWIG
	explicit Record(const rootly_record *r) : r_(r) {}
#endif
	const char *id() const { return r_->id; }
	const char *json() const { return r_->json; }
	const char *status() const { return r_->status; }
	const char *key() const { return r_->key; }
	const char *group_key() const { return r_->group_key; }
	const char *service() const { return r_->service; }
	const char *severity() const { return r_->severity; }
	int64_t time() const { return r_->time; }
	/**
	 * Which optional fields are set (not NULL), for hosts whose strings
	 * cannot be NULL (Go reads NULL as ""): bit 0 status, 1 key,
	 * 2 group_key, 3 service, 4 severity.
	 */
	unsigned present() const
	{
		return (r_->status ? 1u : 0u) | (r_->key ? 2u : 0u) | (r_->group_key ? 4u : 0u) |
			(r_->service ? 8u : 0u) | (r_->severity ? 16u : 0u);
	}
private:
	const rootly_record *r_;
};

/** A query passed to a backend's find: borrowed for the call; None/NULL filters nothing. */
class Query {
public:
#ifndef SWIG
	explicit Query(const rootly_record_query *q) : q_(q) {}
#endif
	const char *id() const { return q_ ? q_->id : NULL; }
	const char *status() const { return q_ ? q_->status : NULL; }
	const char *key() const { return q_ ? q_->key : NULL; }
	const char *group_key() const { return q_ ? q_->group_key : NULL; }
	const char *service() const { return q_ ? q_->service : NULL; }
	const char *severity() const { return q_ ? q_->severity : NULL; }
	int64_t time_from() const { return q_ ? q_->time_from : 0; }
	int64_t time_to() const { return q_ ? q_->time_to : 0; }
	uint64_t limit() const { return q_ ? (uint64_t)q_->limit : 0; }
	bool descending() const { return q_ ? q_->descending != 0 : false; }
	/** Which filters are set (not NULL): bits as in Record::present, and bit 5 id. */
	unsigned present() const
	{
		if (!q_)
			return 0;
		return (q_->status ? 1u : 0u) | (q_->key ? 2u : 0u) | (q_->group_key ? 4u : 0u) |
			(q_->service ? 8u : 0u) | (q_->severity ? 16u : 0u) | (q_->id ? 32u : 0u);
	}
private:
	const rootly_record_query *q_;
};

/** A list of strings built by a binding (Go) for `const char *const *` arguments. */
class Strings {
public:
	void add(const char *s) { v_.push_back(s ? s : ""); }
	size_t size() const { return v_.size(); }
#ifndef SWIG
	const char *const *data()
	{
		p_.clear();
		for (size_t i = 0; i < v_.size(); i++)
			p_.push_back(v_[i].c_str());
		return p_.empty() ? NULL : &p_[0];
	}
#endif
private:
	std::vector<std::string> v_;
	std::vector<const char *> p_;
};

/** Key/value pairs built by a binding (Go) for `const rootly_kv *` arguments;
 *  add_null gives a pair whose value is NULL ("remove" in updates). */
class Pairs {
public:
	void add(const char *key, const char *value) { k_.push_back(key ? key : ""); v_.push_back(OptString(value)); }
	void add_null(const char *key) { k_.push_back(key ? key : ""); v_.push_back(OptString()); }
	size_t size() const { return k_.size(); }
#ifndef SWIG
	const rootly_kv *data()
	{
		kv_.clear();
		for (size_t i = 0; i < k_.size(); i++) {
			rootly_kv kv;
			kv.key = k_[i].c_str();
			kv.value = v_[i].c_str();
			kv_.push_back(kv);
		}
		return kv_.empty() ? NULL : &kv_[0];
	}
#endif
private:
	std::vector<std::string> k_;
	std::vector<OptString> v_;
	std::vector<rootly_kv> kv_;
};

/**
 * The director base of a host-language store. The raw_* methods mirror
 * the vtable slots (docs in rootly/sys/store.h); each returns 0 or a
 * negative rootly_error_code. The language packages (rootly.Store in
 * Python, rootly.Store in Go) implement them over an idiomatic interface.
 */
class StoreBackend {
public:
	virtual ~StoreBackend() {}
	virtual std::string raw_name() { return "host"; }
	virtual int raw_begin() = 0;
	virtual int raw_commit() = 0;
	virtual int raw_rollback() = 0;
	/** Add the record (at most one) to reply; none means "not found". */
	virtual int raw_record_get(const char *collection, const char *id, StoreReply &reply) = 0;
	/** reply.set_value(the new revision). */
	virtual int raw_record_put(const char *collection, const Record &rec, int64_t expected_revision, StoreReply &reply) = 0;
	virtual int raw_record_delete(const char *collection, const char *id, StoreReply &reply) = 0;
	virtual int raw_record_find(const char *collection, const Query &q, StoreReply &reply) = 0;
	virtual int raw_stream_append(const char *stream, int64_t seq, const std::string &data, StoreReply &reply) = 0;
	virtual int raw_stream_read(const char *stream, int64_t from_seq, uint64_t max, StoreReply &reply) = 0;
	/** reply.set_value(last seq, 0 if none). */
	virtual int raw_stream_last(const char *stream, StoreReply &reply) = 0;
	/** reply.set_value(next value). */
	virtual int raw_sequence_next(const char *name, StoreReply &reply) = 0;
	virtual int raw_check(StoreReply &reply) { return 0; }
	/** Called once when the library frees the store. */
	virtual void raw_close() {}
};

#ifndef SWIG
/* ---- the C vtable over a StoreBackend ---------------------------------- */

struct shim_store {
	rootly_store parent; /* first: the library casts back */
	StoreBackend *impl;
	std::string name;
	bool close_on_free;
};

static inline StoreBackend *shim_impl(rootly_store *st) { return reinterpret_cast<shim_store *>(st)->impl; }
static inline const char *shim_name(rootly_store *st) { return reinterpret_cast<shim_store *>(st)->name.c_str(); }

/*
 * The calling thread's last error, kept across a slot call that succeeds:
 * the library may call a slot (a rollback) while the error of a failed
 * operation is pending, and that error must still be there afterwards.
 */
class PendingError {
public:
	PendingError()
	{
		const rootly_error *e = rootly_error_last();
		code_ = e->code;
		if (code_ != 0) {
			klass_ = e->klass;
			sys_code_ = e->sys_code;
			message_ = e->message ? e->message : "";
		}
		rootly_error_clear();
	}
	void restore() const
	{
		if (code_ != 0)
			rootly_error_set(code_, klass_, sys_code_, "%s", message_.c_str());
	}
private:
	int code_, klass_ = 0, sys_code_ = 0;
	std::string message_;
};

/*
 * Run one host method; catch everything. A failure without a matching
 * message on this thread gets one naming the backend and slot; a success
 * leaves the thread's pending error as it was.
 */
template <typename F>
static int shim_call(rootly_store *st, const char *slot, F fn)
{
	int rc;
	PendingError pending;
	try {
		rc = fn();
	} catch (const HostError &e) {
		return rootly_error_set(e.code(), ROOTLY_ERROR_CALLBACK, 0, "%s store: %s: %s", shim_name(st), slot, e.what());
	} catch (const std::bad_alloc &) {
		return rootly_error_set_oom();
	} catch (const std::exception &e) {
		return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_CALLBACK, 0, "%s store: %s: %s", shim_name(st), slot, e.what());
	} catch (...) {
		return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_CALLBACK, 0, "%s store: %s: unknown exception", shim_name(st), slot);
	}
	if (rc > 0)
		rc = 0;
	if (rc < 0 && rootly_error_last()->code != rc)
		rootly_error_set(rc, ROOTLY_ERROR_CALLBACK, 0, "%s store: %s failed: %s", shim_name(st), slot, rootly_strerror(rc));
	if (rc == 0)
		pending.restore();
	return rc;
}

static inline int shim_invalid(const char *slot, const char *what)
{
	return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "%s: %s", slot, what);
}

static int shim_begin(rootly_store *st) { return shim_call(st, "begin", [&] { return shim_impl(st)->raw_begin(); }); }
static int shim_commit(rootly_store *st) { return shim_call(st, "commit", [&] { return shim_impl(st)->raw_commit(); }); }
static int shim_rollback(rootly_store *st) { return shim_call(st, "rollback", [&] { return shim_impl(st)->raw_rollback(); }); }

static int shim_record_get(rootly_store *st, const char *collection, const char *id, rootly_record_cb cb, void *payload)
{
	if (!collection || !id)
		return shim_invalid("record_get", "collection and id are required");
	StoreReply reply;
	int rc = shim_call(st, "record_get", [&] { return shim_impl(st)->raw_record_get(collection, id, reply); });
	if (rc < 0)
		return rc;
	if (reply.records_count() == 0)
		return rootly_error_set(ROOTLY_ENOTFOUND, ROOTLY_ERROR_STORAGE, 0, "%s/%s: not found", collection, id);
	rootly_record r = reply.record_at(0).view();
	if (!r.id || !r.json)
		return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_CALLBACK, 0, "%s store: record_get returned a record without id or json", shim_name(st));
	return cb ? cb(&r, payload) : 0;
}

static int shim_record_put(rootly_store *st, const char *collection, const rootly_record *rec,
	int64_t expected_revision, int64_t *new_revision)
{
	if (!collection || !rec || !rec->id || !rec->json)
		return shim_invalid("record_put", "collection, id and json are required");
	if (expected_revision < -1)
		return shim_invalid("record_put", "expected_revision must be -1, 0 or a revision");
	StoreReply reply;
	Record view(rec);
	int rc = shim_call(st, "record_put", [&] {
		return shim_impl(st)->raw_record_put(collection, view, expected_revision, reply);
	});
	if (rc < 0)
		return rc;
	if (!reply.has_value() || reply.value() < 1)
		return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_CALLBACK, 0, "%s store: record_put did not return the new revision", shim_name(st));
	if (new_revision)
		*new_revision = reply.value();
	return 0;
}

static int shim_record_delete(rootly_store *st, const char *collection, const char *id)
{
	if (!collection || !id)
		return shim_invalid("record_delete", "collection and id are required");
	StoreReply reply;
	return shim_call(st, "record_delete", [&] { return shim_impl(st)->raw_record_delete(collection, id, reply); });
}

static int shim_record_find(rootly_store *st, const char *collection, const rootly_record_query *q,
	rootly_record_cb cb, void *payload)
{
	if (!collection)
		return shim_invalid("record_find", "collection is required");
	StoreReply reply;
	Query view(q);
	int rc = shim_call(st, "record_find", [&] { return shim_impl(st)->raw_record_find(collection, view, reply); });
	if (rc < 0)
		return rc;
	size_t n = reply.records_count();
	if (q && q->limit && n > q->limit)
		n = q->limit;
	for (size_t i = 0; i < n; i++) {
		rootly_record r = reply.record_at(i).view();
		if (!r.id || !r.json)
			return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_CALLBACK, 0, "%s store: record_find returned a record without id or json", shim_name(st));
		rc = cb ? cb(&r, payload) : 0;
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int shim_stream_append(rootly_store *st, const char *stream, int64_t seq, const char *data, size_t len)
{
	if (!stream || (!data && len))
		return shim_invalid("stream_append", "stream is required, and data unless len is 0");
	StoreReply reply;
	std::string bytes(data ? data : "", len);
	return shim_call(st, "stream_append", [&] { return shim_impl(st)->raw_stream_append(stream, seq, bytes, reply); });
}

static int shim_stream_read(rootly_store *st, const char *stream, int64_t from_seq, size_t max,
	rootly_stream_cb cb, void *payload)
{
	if (!stream)
		return shim_invalid("stream_read", "stream is required");
	StoreReply reply;
	int rc = shim_call(st, "stream_read", [&] { return shim_impl(st)->raw_stream_read(stream, from_seq, (uint64_t)max, reply); });
	if (rc < 0)
		return rc;
	size_t n = reply.entries_count();
	if (max && n > max)
		n = max;
	for (size_t i = 0; i < n; i++) {
		std::string d = reply.entry_text(i);
		rootly_stream_entry e;
		e.seq = reply.entry_seq(i);
		e.data = d.data();
		e.len = d.size();
		rc = cb ? cb(&e, payload) : 0;
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int shim_value(rootly_store *st, const char *slot, StoreReply &reply, int rc, int64_t *out)
{
	if (rc < 0)
		return rc;
	if (!reply.has_value())
		return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_CALLBACK, 0, "%s store: %s returned no value", shim_name(st), slot);
	if (out)
		*out = reply.value();
	return 0;
}

static int shim_stream_last(rootly_store *st, const char *stream, int64_t *seq_out)
{
	if (!stream)
		return shim_invalid("stream_last", "stream is required");
	StoreReply reply;
	int rc = shim_call(st, "stream_last", [&] { return shim_impl(st)->raw_stream_last(stream, reply); });
	return shim_value(st, "stream_last", reply, rc, seq_out);
}

static int shim_sequence_next(rootly_store *st, const char *name, int64_t *value_out)
{
	if (!name)
		return shim_invalid("sequence_next", "name is required");
	StoreReply reply;
	int rc = shim_call(st, "sequence_next", [&] { return shim_impl(st)->raw_sequence_next(name, reply); });
	return shim_value(st, "sequence_next", reply, rc, value_out);
}

static int shim_check(rootly_store *st)
{
	StoreReply reply;
	return shim_call(st, "check", [&] { return shim_impl(st)->raw_check(reply); });
}

static void shim_free(rootly_store *st)
{
	shim_store *s = reinterpret_cast<shim_store *>(st);
	if (!s)
		return;
	if (s->close_on_free) {
		try {
			s->impl->raw_close();
		} catch (...) {
			/* nothing to report to: free returns void */
		}
	}
	delete s;
}

/** Build a vtable over `impl` (not owned). The caller owns *out. */
static inline int store_wrap(rootly_store **out, StoreBackend *impl)
{
	*out = NULL;
	if (!impl)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "store: no backend object");
	shim_store *s = new (std::nothrow) shim_store();
	if (!s)
		return rootly_error_set_oom();
	int rc = rootly_store_init(&s->parent, ROOTLY_STORE_VERSION);
	if (rc < 0) {
		delete s;
		return rc;
	}
	s->impl = impl;
	s->close_on_free = true;
	try {
		s->name = impl->raw_name();
	} catch (...) {
		s->name = "host";
	}
	s->parent.name = s->name.c_str();
	s->parent.begin = shim_begin;
	s->parent.commit = shim_commit;
	s->parent.rollback = shim_rollback;
	s->parent.record_get = shim_record_get;
	s->parent.record_put = shim_record_put;
	s->parent.record_delete = shim_record_delete;
	s->parent.record_find = shim_record_find;
	s->parent.stream_append = shim_stream_append;
	s->parent.stream_read = shim_stream_read;
	s->parent.stream_last = shim_stream_last;
	s->parent.sequence_next = shim_sequence_next;
	s->parent.check = shim_check;
	s->parent.free = shim_free;
	*out = &s->parent;
	return 0;
}

/* Free a vtable the library never took (ctx open failed): no raw_close. */
static inline void store_unwrap(rootly_store *st)
{
	if (st) {
		reinterpret_cast<shim_store *>(st)->close_on_free = false;
		st->free(st);
	}
}

/* A copy of a borrowed record, for RawStore's callbacks. */
static int raw_collect_record(const rootly_record *r, void *payload);
static int raw_collect_entry(const rootly_stream_entry *e, void *payload);
#endif /* !SWIG */

/**
 * Any rootly_store driven slot by slot, for conformance tests written in
 * the host language: a built-in one by URI, or a host StoreBackend through
 * the C vtable above (so the trampolines are what is tested). Every method
 * returns the slot's status; results land in `reply`. `stop_after` > 0
 * makes the callback return `stop_value` on its stop_after-th call.
 */
class RawStore {
public:
	RawStore() : st_(NULL), stop_after_(0), stop_value_(0), calls_(0), reply_(NULL) {}
	~RawStore() { close(); }
	int open(const char *uri)
	{
		close();
		return rootly_store_open(&st_, uri);
	}
	int wrap(StoreBackend *impl)
	{
		close();
		return store_wrap(&st_, impl);
	}
	void close()
	{
		if (st_)
			st_->free(st_);
		st_ = NULL;
	}
	const char *name() const { return st_ ? st_->name : NULL; }
	bool has_check() const { return st_ && st_->check; }
	void stop_after(int calls, int value) { stop_after_ = calls; stop_value_ = value; }
	int calls() const { return calls_; }
	int begin() { return need() ? st_->begin(st_) : ROOTLY_EINVALID; }
	int commit() { return need() ? st_->commit(st_) : ROOTLY_EINVALID; }
	int rollback() { return need() ? st_->rollback(st_) : ROOTLY_EINVALID; }
	int record_get(const char *collection, const char *id, StoreReply &reply)
	{
		if (!need())
			return ROOTLY_EINVALID;
		arm(reply);
		return st_->record_get(st_, collection, id, raw_collect_record, this);
	}
	/* (Optional strings are named opt_* so the Go binding passes "" as NULL.) */
	int record_put(const char *collection, const char *id, const char *json, const char *opt_status,
		const char *opt_key, const char *opt_group_key, const char *opt_service, const char *opt_severity,
		int64_t time, int64_t expected_revision, StoreReply &reply)
	{
		if (!need())
			return ROOTLY_EINVALID;
		rootly_record r;
		r.id = id; r.revision = 0; r.json = json; r.status = opt_status; r.key = opt_key;
		r.group_key = opt_group_key; r.service = opt_service; r.severity = opt_severity; r.time = time;
		int64_t rev = 0;
		reply.clear();
		int rc = st_->record_put(st_, collection, &r, expected_revision, &rev);
		if (rc == 0)
			reply.set_value(rev);
		return rc;
	}
	int record_delete(const char *collection, const char *id) { return need() ? st_->record_delete(st_, collection, id) : ROOTLY_EINVALID; }
	int record_find(const char *collection, bool has_query, const char *opt_id, const char *opt_status,
		const char *opt_key, const char *opt_group_key, const char *opt_service, const char *opt_severity,
		int64_t time_from, int64_t time_to, uint64_t limit, bool descending, StoreReply &reply)
	{
		if (!need())
			return ROOTLY_EINVALID;
		rootly_record_query q;
		q.id = opt_id; q.status = opt_status; q.key = opt_key; q.group_key = opt_group_key; q.service = opt_service;
		q.severity = opt_severity; q.time_from = time_from; q.time_to = time_to; q.limit = (size_t)limit;
		q.descending = descending;
		arm(reply);
		return st_->record_find(st_, collection, has_query ? &q : NULL, raw_collect_record, this);
	}
	int stream_append(const char *stream, int64_t seq, const std::string &data, bool null_data = false)
	{
		if (!need())
			return ROOTLY_EINVALID;
		return st_->stream_append(st_, stream, seq, null_data ? NULL : data.data(), data.size());
	}
	int stream_read(const char *stream, int64_t from_seq, uint64_t max, StoreReply &reply)
	{
		if (!need())
			return ROOTLY_EINVALID;
		arm(reply);
		return st_->stream_read(st_, stream, from_seq, (size_t)max, raw_collect_entry, this);
	}
	int stream_last(const char *stream, StoreReply &reply)
	{
		int64_t v = 0;
		reply.clear();
		int rc = need() ? st_->stream_last(st_, stream, &v) : ROOTLY_EINVALID;
		if (rc == 0)
			reply.set_value(v);
		return rc;
	}
	int sequence_next(const char *name, StoreReply &reply)
	{
		int64_t v = 0;
		reply.clear();
		int rc = need() ? st_->sequence_next(st_, name, &v) : ROOTLY_EINVALID;
		if (rc == 0)
			reply.set_value(v);
		return rc;
	}
	int check() { return need() ? (st_->check ? st_->check(st_) : 0) : ROOTLY_EINVALID; }
#ifndef SWIG
	int collect(const rootly_record *r)
	{
		reply_->add_record(r->id, r->revision, r->json, r->status, r->key, r->group_key, r->service, r->severity, r->time);
		return next();
	}
	int collect(const rootly_stream_entry *e)
	{
		reply_->add_entry(e->seq, std::string(e->data ? e->data : "", e->len));
		return next();
	}
#endif
private:
	bool need() const
	{
		if (!st_)
			rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "RawStore: no store open");
		return st_ != NULL;
	}
	void arm(StoreReply &reply) { reply.clear(); reply_ = &reply; calls_ = 0; }
	int next() { calls_++; return (stop_after_ > 0 && calls_ == stop_after_) ? stop_value_ : 0; }
	RawStore(const RawStore &);
	RawStore &operator=(const RawStore &);
	rootly_store *st_;
	int stop_after_, stop_value_, calls_;
	StoreReply *reply_;
};

#ifndef SWIG
static int raw_collect_record(const rootly_record *r, void *payload) { return static_cast<RawStore *>(payload)->collect(r); }
static int raw_collect_entry(const rootly_stream_entry *e, void *payload) { return static_cast<RawStore *>(payload)->collect(e); }

#endif

/** A clock written in the host language (rootly_ctx_options.clock). */
class ClockBackend {
public:
	virtual ~ClockBackend() {}
	/** The current time, ms since the epoch. Must not fail: the binding's
	 *  adapter catches its own errors (an escaping one reads as 0, "now"). */
	virtual int64_t raw_now() = 0;
};

#ifndef SWIG
static rootly_time clock_trampoline(void *payload)
{
	try {
		return static_cast<ClockBackend *>(payload)->raw_now();
	} catch (...) {
		return 0;
	}
}

/**
 * Open a context: storage by URI, or over a host store (`impl`, not
 * owned); a host clock when `clock` is set (not owned). On failure the
 * store's vtable is freed and the host objects are untouched.
 */
static inline int ctx_open(rootly_ctx **out, const char *uri, StoreBackend *impl, ClockBackend *clock,
	const char *actor)
{
	rootly_store *st = NULL;
	rootly_ctx_options o;
	*out = NULL;
	int rc = rootly_ctx_options_init(&o, ROOTLY_CTX_OPTIONS_VERSION);
	if (rc < 0)
		return rc;
	if (impl) {
		rc = store_wrap(&st, impl);
		if (rc < 0)
			return rc;
		o.store = st;
	} else {
		o.storage_uri = uri;
	}
	if (clock) {
		o.clock = clock_trampoline;
		o.clock_payload = clock;
	}
	o.actor = actor;
	rc = rootly_ctx_open(out, &o);
	if (rc < 0 && st)
		store_unwrap(st);
	return rc;
}

/** Open a context over a host store. */
static inline int ctx_open_store(rootly_ctx **out, StoreBackend *impl, const char *actor)
{
	return ctx_open(out, NULL, impl, NULL, actor);
}
#endif

/* ---- transports -------------------------------------------------------- */

/**
 * What a host transport answers for one delivery (rootly/sys/transport.h):
 * ok (with an optional result, a JSON object), retry (transient failure,
 * optionally after retry_after_ms) or permanent failure.
 */
class DeliveryReply {
public:
	DeliveryReply() : outcome_(ROOTLY_DELIVERY_OK), has_result_(false), retry_after_ms_(-1), http_status_(0) {}
	void ok(const char *result_json = NULL)
	{
		outcome_ = ROOTLY_DELIVERY_OK;
		has_result_ = result_json != NULL;
		result_ = result_json ? result_json : "";
	}
	void retry(const char *error, int64_t retry_after_ms = -1)
	{
		outcome_ = ROOTLY_DELIVERY_RETRY;
		error_ = error ? error : "";
		retry_after_ms_ = retry_after_ms;
	}
	void permanent(const char *error)
	{
		outcome_ = ROOTLY_DELIVERY_PERMANENT;
		error_ = error ? error : "";
	}
	void set_http_status(int status) { http_status_ = status; }
	int outcome() const { return outcome_; }
#ifndef SWIG
	/* Fill the library's result; result_json is copied with rootly_malloc. */
	int fill(rootly_delivery_result *r) const
	{
		r->outcome = outcome_;
		r->retry_after_ms = retry_after_ms_;
		r->http_status = http_status_;
		snprintf(r->error, sizeof r->error, "%s", error_.c_str());
		r->result_json = NULL;
		if (has_result_) {
			r->result_json = (char *)rootly_malloc(result_.size() + 1);
			if (!r->result_json)
				return rootly_error_set_oom();
			memcpy(r->result_json, result_.c_str(), result_.size() + 1);
		}
		return 0;
	}
#endif
private:
	int outcome_;
	bool has_result_;
	std::string result_, error_;
	int64_t retry_after_ms_;
	int http_status_;
};

/** The director base of a host-language transport. */
class TransportBackend {
public:
	virtual ~TransportBackend() {}
	virtual std::string raw_name() { return "host"; }
	/** A bit set of rootly_capability (ROOTLY_CAP_*). */
	virtual unsigned int raw_capabilities() { return ROOTLY_CAP_ALL; }
	/** Deliver one item; answer through reply. A negative return is a
	 *  retryable failure whose reason is the thread's last error. */
	virtual int raw_deliver(const char *item_id, const char *incident_id, const char *action,
		const char *params_json, const char *idempotency_key, int attempt, DeliveryReply &reply) = 0;
	/** Called once when the library frees the transport. */
	virtual void raw_close() {}
};

#ifndef SWIG
struct shim_transport {
	rootly_transport parent; /* first */
	TransportBackend *impl;
	std::string name;
};

static int tshim_deliver(rootly_transport *t, const rootly_delivery *d, rootly_delivery_result *r)
{
	shim_transport *s = reinterpret_cast<shim_transport *>(t);
	DeliveryReply reply;
	int rc;
	PendingError pending;
	try {
		rc = s->impl->raw_deliver(d->item_id, d->incident_id, d->action, d->params_json, d->idempotency_key,
			d->attempt, reply);
	} catch (const HostError &e) {
		return rootly_error_set(e.code(), ROOTLY_ERROR_CALLBACK, 0, "%s transport: %s", s->name.c_str(), e.what());
	} catch (const std::bad_alloc &) {
		return rootly_error_set_oom();
	} catch (const std::exception &e) {
		return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_CALLBACK, 0, "%s transport: %s", s->name.c_str(), e.what());
	} catch (...) {
		return rootly_error_set(ROOTLY_EIO, ROOTLY_ERROR_CALLBACK, 0, "%s transport: unknown exception", s->name.c_str());
	}
	if (rc < 0) {
		if (rootly_error_last()->code != rc)
			rootly_error_set(rc, ROOTLY_ERROR_CALLBACK, 0, "%s transport: deliver failed: %s", s->name.c_str(), rootly_strerror(rc));
		return rc;
	}
	pending.restore();
	return reply.fill(r);
}

static void tshim_free(rootly_transport *t)
{
	shim_transport *s = reinterpret_cast<shim_transport *>(t);
	if (!s)
		return;
	try {
		s->impl->raw_close();
	} catch (...) {
	}
	delete s;
}

/** Register `impl` (not owned; the binding keeps it alive) on a context. */
static inline int ctx_add_transport(rootly_ctx *ctx, TransportBackend *impl)
{
	if (!impl)
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_INVALID, 0, "transport: no backend object");
	shim_transport *s = new (std::nothrow) shim_transport();
	if (!s)
		return rootly_error_set_oom();
	int rc = rootly_transport_init(&s->parent, ROOTLY_TRANSPORT_VERSION);
	if (rc < 0) {
		delete s;
		return rc;
	}
	s->impl = impl;
	try {
		s->name = impl->raw_name();
		s->parent.capabilities = impl->raw_capabilities();
	} catch (...) {
		delete s;
		return rootly_error_set(ROOTLY_EINVALID, ROOTLY_ERROR_CALLBACK, 0, "transport: name or capabilities raised");
	}
	s->parent.name = s->name.c_str();
	s->parent.deliver = tshim_deliver;
	s->parent.free = tshim_free;
	rc = rootly_ctx_add_transport(ctx, &s->parent);
	if (rc < 0)
		delete s; /* not taken: no raw_close */
	return rc;
}
#endif

} /* namespace rootly_swig */

#endif
