/*
 * rootly_errors.i — every rootly_status return becomes an exception (or a Go
 * error value) in the target language (conventions §10.3, §10.11).
 *
 * The status and its details are read in the same wrapper call, right after
 * the C call returns and on the same OS thread, so the thread-local
 * rootly_error_last() is the error of that call. On success the function's
 * value is None (or its out-parameters).
 */
#ifdef SWIGPYTHON
%typemap(out) rootly_status {
	if ($1 < 0) {
		rootly_py_raise($1);
		SWIG_fail;
	}
	$result = SWIG_Py_Void();
}
#endif
