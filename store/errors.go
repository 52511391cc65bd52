package store

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ErrorKind says what went wrong in terms a caller can act on; web maps each kind to an HTTP
// status in one place.
type ErrorKind string

// The kinds of domain error.
const (
	KindNotFound  ErrorKind = "not_found"
	KindConflict  ErrorKind = "conflict"
	KindInvalid   ErrorKind = "invalid"
	KindForbidden ErrorKind = "forbidden"
)

// Sentinel errors every caller can test with errors.Is; an *Error of the matching kind is one.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrInvalid   = errors.New("invalid")
	ErrForbidden = errors.New("forbidden")
)

var kindSentinel = map[ErrorKind]error{
	KindNotFound: ErrNotFound, KindConflict: ErrConflict, KindInvalid: ErrInvalid, KindForbidden: ErrForbidden,
}

// Error is the one domain error: a kind, and the sentence to show the person who caused it. Wrap it
// with context as usual (fmt.Errorf("store: ...: %w", err)); errors.As finds it under the wrapping.
type Error struct {
	Kind    ErrorKind
	Message string            // a sentence for the user, never internal detail
	Fields  map[string]string // KindInvalid from a form: field name → what to fix
}

// Error reads as the user's sentence; with field problems, all of them in field order.
func (e *Error) Error() string {
	if e.Message != "" || len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, 0, len(e.Fields))
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		parts = append(parts, e.Fields[k])
	}
	return strings.Join(parts, " ")
}

// Is makes errors.Is(err, ErrConflict) and the like hold for an *Error of that kind.
func (e *Error) Is(target error) bool { return kindSentinel[e.Kind] == target }

// Errorf returns an *Error of kind whose message is the formatted sentence.
func Errorf(kind ErrorKind, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// FieldErrors is a KindInvalid error listing what is wrong with a submitted form, field by field;
// pages re-render the form with these sentences rather than show an error page.
func FieldErrors(fields map[string]string) error {
	return &Error{Kind: KindInvalid, Fields: fields}
}

func invalidField(field, msg string) error { return FieldErrors(map[string]string{field: msg}) }

// AsError finds the *Error in err's chain. Other errors are internal: ok is false.
func AsError(err error) (e *Error, ok bool) {
	ok = errors.As(err, &e)
	return e, ok
}

// errNoSuchThing is the error for an id that names nothing; the wrapping says what, for the log.
var errNoSuchThing = &Error{Kind: KindNotFound,
	Message: "There is nothing at this address. It may have been mistyped, or the item does not exist."}
