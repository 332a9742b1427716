package parley

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors returned by Store implementations.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	// ErrNotCheckpointed: MakeProof needs a log entry that no checkpoint
	// cosigned by the peer covers yet; it will once serve checkpoints.
	ErrNotCheckpointed = errors.New("not under a cosigned checkpoint yet")
)

// Code classifies a refusal at the edges of the node: it is sent to peers,
// counted in metrics and mapped to an HTTP status.
type Code string

// Error codes of the federation API (docs/protocol.md, "Errors").
const (
	CodeTooLarge           Code = "too_large"
	CodeMalformed          Code = "malformed"
	CodeUnknownVersion     Code = "unknown_version"
	CodeUnsupportedMedia   Code = "unsupported_media_type"
	CodeBadSignature       Code = "bad_signature"
	CodeUnknownSender      Code = "unknown_sender"
	CodeWrongChannel       Code = "wrong_channel"
	CodeWrongRecipient     Code = "wrong_recipient"
	CodeUnknownKey         Code = "unknown_key"
	CodeDecryptFailed      Code = "decrypt_failed"
	CodeCommitmentMismatch Code = "commitment_mismatch"
	CodeBadContent         Code = "bad_content"
	CodeSequenceReused     Code = "sequence_reused"
	CodeSequenceWindow     Code = "sequence_window"
	CodeEnvelopeConflict   Code = "envelope_conflict"
	CodeUnknownMessage     Code = "unknown_message"
	CodeInviteUnusable     Code = "invitation_unusable"
	CodeHandshakeFailed    Code = "handshake_failed"
	CodeRateLimited        Code = "rate_limited"
	CodeCheckpointAhead    Code = "checkpoint_ahead"
	CodeCheckpointRefused  Code = "checkpoint_refused"
	CodeInternal           Code = "internal"
)

// HTTPStatus is the status the federation API answers with for c.
func (c Code) HTTPStatus() int {
	switch c {
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeMalformed, CodeUnknownVersion:
		return http.StatusBadRequest
	case CodeUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case CodeBadSignature:
		return http.StatusUnauthorized
	case CodeUnknownSender, CodeWrongChannel:
		return http.StatusForbidden
	case CodeWrongRecipient, CodeUnknownKey:
		return http.StatusMisdirectedRequest
	case CodeSequenceReused, CodeEnvelopeConflict, CodeCheckpointAhead:
		return http.StatusConflict
	case CodeInviteUnusable:
		return http.StatusNotFound
	case CodeHandshakeFailed:
		return http.StatusForbidden
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeDecryptFailed, CodeCommitmentMismatch, CodeBadContent, CodeSequenceWindow, CodeUnknownMessage, CodeCheckpointRefused:
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// Error is a coded refusal. Message is safe to show to the peer; internal
// detail stays in Err, which is logged but never sent.
type Error struct {
	Code    Code
	Message string
	Index   int // position of the offending item in a batch, or -1
	Err     error
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message
	if e.Index >= 0 {
		s = fmt.Sprintf("%s (item %d)", s, e.Index)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns a coded error for batch item index (or -1).
func Errorf(code Code, index int, format string, args ...any) *Error {
	return &Error{Code: code, Index: index, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of err, or CodeInternal if it carries none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
