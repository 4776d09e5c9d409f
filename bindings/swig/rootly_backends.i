/*
 * rootly_backends.i — storage backends written in the target language
 * (conventions §10.12): the director base rootly_swig::StoreBackend, the
 * reply and view classes its methods receive, RawStore (drive any store's
 * vtable slot by slot, for conformance tests), and opening a context over
 * a host store. The C++ lives in rootly_swig_shim.hpp.
 */

%feature("director") rootly_swig::StoreBackend;
%feature("director") rootly_swig::TransportBackend;
%feature("director") rootly_swig::ClockBackend;

/* Views are made by the shim only. */
%nodefaultctor rootly_swig::Record;
%nodefaultctor rootly_swig::Query;
%nodefaultctor rootly_swig::StoredRecord;
%ignore rootly_swig::HostError;
%ignore rootly_swig::OptString;
%ignore rootly_swig::StoreReply::record_at;
%ignore rootly_swig::Bytes::data;

%include "rootly_swig_shim.hpp"

%extend rootly_swig::StoreReply {
	/* A copy of the i-th record (record_at returns a reference into the reply). */
	rootly_swig::StoredRecord record(size_t i) const { return $self->record_at(i); }
}

%inline %{
/**
 * Open a context whose storage is `impl`, a host-language StoreBackend.
 * The binding keeps `impl` alive until the context is freed.
 */
rootly_status rootly_swig_ctx_open_store(rootly_ctx **out, rootly_swig::StoreBackend *impl, const char *actor)
{
	return rootly_swig::ctx_open_store(out, impl, actor);
}

/**
 * Open a context with every option a binding sets: storage by URI, or a
 * host store (`store`, may be NULL); a host clock (`clock`, may be NULL);
 * the default actor. The binding keeps store and clock alive until the
 * context is freed.
 */
rootly_status rootly_swig_ctx_open_ex(rootly_ctx **out, const char *storage_uri, rootly_swig::StoreBackend *store,
	rootly_swig::ClockBackend *clock, const char *actor)
{
	return rootly_swig::ctx_open(out, storage_uri, store, clock, actor);
}

/**
 * Register `impl`, a host-language TransportBackend, on a context (it
 * serves the capabilities it declares before configured transports). The
 * binding keeps `impl` alive until the context is freed.
 */
rootly_status rootly_swig_ctx_add_transport(rootly_ctx *ctx, rootly_swig::TransportBackend *impl)
{
	return rootly_swig::ctx_add_transport(ctx, impl);
}
%}

%rename("%s") rootly_swig_store_fail;
%inline %{
/** Record `message` as the calling thread's error and return `code` (a
 *  negative rootly_error_code; anything else becomes ROOTLY_EIO). For host
 *  store methods that fail outside a StoreReply (begin, commit, ...). */
int rootly_swig_store_fail(int code, const char *message)
{
	if (code >= 0 || code <= -100)
		code = ROOTLY_EIO;
	return rootly_error_set(code, ROOTLY_ERROR_CALLBACK, 0, "%s", message ? message : rootly_strerror(code));
}
%}
