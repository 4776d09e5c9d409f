package rootly

import (
	"fmt"
	"runtime"

	"librootly.dev/rootly/internal/raw"
)

// Code is a librootly status code (a negative ROOTLY_E* value).
type Code int

// The codes of rootly/errors.h.
const (
	CodeError        Code = -1
	CodeNoMemory     Code = -2
	CodeNotFound     Code = -3
	CodeExists       Code = -4
	CodeInvalid      Code = -5
	CodeConflict     Code = -6
	CodeBusy         Code = -7
	CodeTimeout      Code = -8
	CodeAuth         Code = -9
	CodeNotSupported Code = -10
	CodeCanceled     Code = -11
	CodeIO           Code = -12
	CodeIllegal      Code = -13
	CodeCorrupt      Code = -14
	CodePermission   Code = -15
)

// Name is the code's symbolic name, e.g. "ROOTLY_ENOTFOUND".
func (c Code) Name() string { return raw.Rootly_err_name(int(c)) }

// String is the code's description, e.g. "not found".
func (c Code) String() string { return raw.Rootly_strerror(int(c)) }

// Error is a failure reported by librootly: its code and the message of
// the call that failed (naming the field, position or object concerned).
type Error struct {
	Code    Code
	Message string
	Class   int // a rootly_error_class
	SysCode int // sqlite3 extended code, errno, ...; 0 if none
}

// Error is "rootly: " and the message.
func (e *Error) Error() string {
	if e.Message == "" {
		return "rootly: " + e.Code.String()
	}
	return "rootly: " + e.Message
}

// Is matches another *Error with the same code, so that
// errors.Is(err, rootly.ErrNotFound) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Message == ""
}

// Sentinel errors for errors.Is; the errors returned carry messages.
var (
	ErrGeneric      = &Error{Code: CodeError}
	ErrNoMemory     = &Error{Code: CodeNoMemory}
	ErrNotFound     = &Error{Code: CodeNotFound}
	ErrExists       = &Error{Code: CodeExists}
	ErrInvalid      = &Error{Code: CodeInvalid}
	ErrConflict     = &Error{Code: CodeConflict}
	ErrBusy         = &Error{Code: CodeBusy}
	ErrTimeout      = &Error{Code: CodeTimeout}
	ErrAuth         = &Error{Code: CodeAuth}
	ErrNotSupported = &Error{Code: CodeNotSupported}
	ErrIO           = &Error{Code: CodeIO}
	ErrIllegal      = &Error{Code: CodeIllegal}
	ErrCorrupt      = &Error{Code: CodeCorrupt}
	ErrPermission   = &Error{Code: CodePermission}
	// ErrClosed is returned by every method of a closed Context.
	ErrClosed = fmt.Errorf("rootly: context is closed")
)

// lastError builds the error of a call that returned rc, from the calling
// thread's last error (the caller holds the OS thread locked).
func lastError(rc int) error {
	if rc >= 0 {
		return nil
	}
	e := raw.Rootly_error_last()
	out := &Error{Code: Code(rc)}
	if e.GetCode() == rc {
		out.Message = e.GetMessage()
		out.Class = e.GetKlass()
		out.SysCode = e.GetSys_code()
	}
	if out.Message == "" {
		out.Message = Code(rc).String()
	}
	return out
}

// failed is the error of a call that signalled failure by its value (a
// NULL handle, an empty string): whatever the thread's last error says.
func failed() error {
	code := raw.Rootly_error_last().GetCode()
	if code >= 0 {
		code = int(CodeError)
	}
	return lastError(code)
}

// setFailed reports whether the last call on this thread set an error.
func setFailed() bool { return raw.Rootly_error_last().GetCode() < 0 }

// onThread runs fn on one locked OS thread with the last error cleared, so
// that raw.Rootly_error_last() read inside fn is the error of fn's calls.
func onThread(fn func() error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	raw.Rootly_error_clear()
	return fn()
}
