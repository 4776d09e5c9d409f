/*
 * rootly_ownership.i — who frees what (conventions §10.4, §10.11).
 *
 *  - ROOTLY_HANDLE(TYPE, FREEFN): an opaque handle with a real destructor.
 *    `TYPE **out` parameters take no argument and hand the new object to
 *    the target language, which owns it (SWIG_POINTER_OWN) and calls FREEFN
 *    when it is collected. Borrowed pointers (rootly_incident_list_at) come
 *    back unowned and must not outlive their parent; the Python package
 *    copies them out at once.
 *  - `char **out`: the string is converted, then freed with rootly_free.
 */

/* The language half of a handle's `TYPE **out`: hand the object over.
 * (Preprocessor conditionals do not work inside %define, hence two macros.) */
#ifdef SWIGPYTHON
%define ROOTLY_HANDLE_ARGOUT(TYPE)
%typemap(argout) TYPE **out {
	$result = SWIG_Python_AppendOutput($result,
		SWIG_NewPointerObj(SWIG_as_voidptr(tmp$argnum), $descriptor(TYPE *), SWIG_POINTER_OWN));
	tmp$argnum = NULL; /* the proxy owns it now */
}
%enddef
%define ROOTLY_HANDLE(TYPE, FREEFN)
%nodefaultctor TYPE; /* made by the library only */
struct TYPE {};
%ignore FREEFN;
%extend TYPE { ~TYPE() { FREEFN($self); } }
%typemap(in, numinputs=0) TYPE **out (TYPE *tmp = NULL) {
	$1 = &tmp;
}
ROOTLY_HANDLE_ARGOUT(TYPE)
/* Only reached with tmp still set on an error path. */
%typemap(freearg) TYPE **out {
	if (tmp$argnum) FREEFN(tmp$argnum);
}
%enddef
#elif defined(SWIGGO)
/* Go has no multiple returns through SWIG: the `T **out` functions stay
 * raw (unused), and go/rootly_go_helpers.i gives each a value-returning
 * twin whose failure is read from rootly_error_last() on the same locked
 * OS thread. The handle keeps its destructor (DeleteRootly_x). */
%define ROOTLY_HANDLE(TYPE, FREEFN)
%nodefaultctor TYPE;
struct TYPE {};
%ignore FREEFN;
%extend TYPE { ~TYPE() { FREEFN($self); } }
%enddef
#else
#error "rootly_ownership.i: no ROOTLY_HANDLE for this target language"
#endif

ROOTLY_HANDLE(rootly_ctx, rootly_ctx_free)
ROOTLY_HANDLE(rootly_incident, rootly_incident_free)
ROOTLY_HANDLE(rootly_incident_list, rootly_incident_list_free)
ROOTLY_HANDLE(rootly_ingest_result, rootly_ingest_result_free)
ROOTLY_HANDLE(rootly_timeline, rootly_timeline_free)
ROOTLY_HANDLE(rootly_task_list, rootly_task_list_free)
ROOTLY_HANDLE(rootly_metrics_report, rootly_metrics_report_free)
ROOTLY_HANDLE(rootly_config, rootly_config_free)
ROOTLY_HANDLE(rootly_config_report, rootly_config_report_free)
#ifdef SWIGPYTHON
%apply rootly_config_report **out { rootly_config_report **report_out };
#endif

/* Strings built for the caller. */
#ifdef SWIGPYTHON
%typemap(in, numinputs=0) char **out (char *tmp = NULL) {
	$1 = &tmp;
}
%typemap(argout) char **out {
	PyObject *s_;
	if (tmp$argnum) {
		s_ = PyUnicode_DecodeUTF8(tmp$argnum, (Py_ssize_t)strlen(tmp$argnum), "surrogateescape");
		rootly_free(tmp$argnum);
		tmp$argnum = NULL;
		if (!s_) SWIG_fail;
	} else {
		s_ = SWIG_Py_Void();
	}
	$result = SWIG_Python_AppendOutput($result, s_);
}
%typemap(freearg) char **out {
	rootly_free(tmp$argnum);
}
%apply char **out { char **ts_out, char **json_out };
#endif

/* Plain integer outputs (rootly_version). */
%apply int *OUTPUT { int *major, int *minor, int *patch };
