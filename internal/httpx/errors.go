package httpx

import (
	"context"
	"errors"
	"fmt"
)

// StatusError is a response whose status is not 2xx and that was not (or no
// longer) retried: a 4xx other than 408 and 429, a 401 that survived a
// credential refresh, or a retryable status once the attempts ran out.
type StatusError struct {
	Method, Path string // Path is the request's path and query, without host
	Status       int
	Attempts     int
	// Snippet is the start of the response body, with secrets removed.
	Snippet string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: HTTP %d", e.Method, e.Path, e.Status)
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	if e.Snippet != "" {
		msg += ": " + e.Snippet
	}
	return msg
}

// BodyError is a 2xx response whose body was not valid JSON on every
// attempt (Request.JSON). Body is the last body received, so the caller
// can quarantine it.
type BodyError struct {
	Method, Path string
	Attempts     int
	Body         []byte
	Reason       string
}

func (e *BodyError) Error() string {
	return fmt.Sprintf("%s %s: invalid JSON body after %d attempts: %s", e.Method, e.Path, e.Attempts, e.Reason)
}

// TransportError is a request that never got a complete response (timeout,
// refused or reset connection, truncated body) on its last attempt. Its
// message has secrets and URL credentials removed; the underlying error is
// deliberately not kept, so nothing can print it unredacted. Is reports
// context.Canceled and context.DeadlineExceeded when the caller's context
// ended the request.
type TransportError struct {
	Method, Path string
	Attempts     int
	Msg          string // redacted text of the underlying error
	cause        error  // context.Canceled / DeadlineExceeded, or nil
}

func (e *TransportError) Error() string {
	msg := fmt.Sprintf("%s %s: %s", e.Method, e.Path, e.Msg)
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return msg
}

// Is matches the caller's context errors only.
func (e *TransportError) Is(target error) bool {
	return e.cause != nil && (target == e.cause)
}

// ctxCause returns the context error err stands for, if any.
func ctxCause(err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return context.DeadlineExceeded
	}
	return nil
}

// authError is an Auth's failure to supply a token, with its message
// redacted. It unwraps to the scheme's error (for PasswordGrant, one of
// this package's redacted errors) so callers can tell a rejected login
// (*StatusError) from an outage.
type authError struct {
	msg string
	err error
}

func (e *authError) Error() string { return e.msg }
func (e *authError) Unwrap() error { return e.err }
