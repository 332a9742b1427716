package stix

import "errors"

// ErrInvalid is matched (errors.Is) by every error Parse returns for
// invalid input.
var ErrInvalid = errors.New("invalid STIX")

// ValidationError is what Parse returns for invalid input. Path is a JSON
// path to the offending property, such as "objects[3].created" or
// "objects[0].object_marking_refs[1]" ("" for the input as a whole); Reason
// says what is wrong.
type ValidationError struct {
	Path   string
	Reason string
}

// Error returns "path: reason", or the reason alone for an empty path.
func (e *ValidationError) Error() string {
	if e.Path == "" {
		return e.Reason
	}
	return e.Path + ": " + e.Reason
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }
