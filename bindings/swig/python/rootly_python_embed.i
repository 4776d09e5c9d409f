/*
 * rootly_python_embed.i — for C programs that embed Python and want a C
 * rootly_store over a store written in Python: the C store conformance
 * suite runs against rootly.DictStore this way (tests/conformance/
 * python_store). Python only: Go reaches the vtable through RawStore.
 */

%rename("%s") rootly_swig_store_address;
%inline %{
/**
 * A C vtable (rootly/sys/store.h) over `impl`, returned as an address;
 * 0 on failure (the calling thread's error says why). The caller owns the
 * rootly_store: free it with its free slot (which calls impl's close). It
 * must keep `impl` alive until then: the vtable does not hold a reference.
 * Any thread; the store's slots take the GIL themselves.
 */
unsigned long long rootly_swig_store_address(rootly_swig::StoreBackend *impl)
{
	rootly_store *st = NULL;
	if (rootly_swig::store_wrap(&st, impl) < 0)
		return 0;
	return (unsigned long long)(uintptr_t)st;
}
%}
