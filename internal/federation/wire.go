// Package federation is the node-to-node HTTP API under /federation/v1/:
// the handlers that receive batches of envelopes and read receipts, the
// client that posts them, and the delivery workers that drain the outbox.
//
// Security is end to end in the envelopes; this package adds bounded request
// sizes, strict decoding and coded errors (docs/protocol.md, "Federation API").
package federation

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// BatchMagic opens every batch body.
const BatchMagic = "PRLB"

// BatchVersion is the batch framing version.
const BatchVersion = 1

// MediaType is the Content-Type of a batch body.
const MediaType = "application/vnd.parley.batch"

// MaxBatchItems bounds the number of items in one batch.
const MaxBatchItems = 4096

// ErrBatch reports a malformed batch body.
var ErrBatch = errors.New("malformed batch")

// EncodeBatch frames items: "PRLB" || version (1 byte) || count (u32 BE) ||
// for each item: length (u32 BE) || bytes.
func EncodeBatch(items [][]byte) []byte {
	n := 9
	for _, it := range items {
		n += 4 + len(it)
	}
	b := make([]byte, 0, n)
	b = append(b, BatchMagic...)
	b = append(b, BatchVersion)
	b = binary.BigEndian.AppendUint32(b, uint32(len(items)))
	for _, it := range items {
		b = binary.BigEndian.AppendUint32(b, uint32(len(it)))
		b = append(b, it...)
	}
	return b
}

// DecodeBatch strictly parses a batch: the exact framing, at least one and at
// most MaxBatchItems items, each at most maxItem bytes, and no trailing data.
// The returned items alias b.
func DecodeBatch(b []byte, maxItem int) ([][]byte, error) {
	if len(b) < 9 || string(b[:4]) != BatchMagic {
		return nil, fmt.Errorf("%w: bad magic", ErrBatch)
	}
	if b[4] != BatchVersion {
		return nil, fmt.Errorf("%w: unknown batch version %d", ErrBatch, b[4])
	}
	count := binary.BigEndian.Uint32(b[5:9])
	if count == 0 || count > MaxBatchItems {
		return nil, fmt.Errorf("%w: %d items (want 1 to %d)", ErrBatch, count, MaxBatchItems)
	}
	p := b[9:]
	items := make([][]byte, 0, min(count, uint32(len(p)/4)+1))
	for i := uint32(0); i < count; i++ {
		if len(p) < 4 {
			return nil, fmt.Errorf("%w: truncated at item %d", ErrBatch, i)
		}
		l := binary.BigEndian.Uint32(p)
		p = p[4:]
		if int64(l) > int64(maxItem) {
			return nil, fmt.Errorf("%w: item %d is %d bytes, the limit is %d", ErrBatch, i, l, maxItem)
		}
		if uint64(len(p)) < uint64(l) {
			return nil, fmt.Errorf("%w: truncated at item %d", ErrBatch, i)
		}
		items = append(items, p[:l:l])
		p = p[l:]
	}
	if len(p) != 0 {
		return nil, fmt.Errorf("%w: %d bytes of trailing data", ErrBatch, len(p))
	}
	return items, nil
}

// DeliveryResponse is the JSON answer to a successful POST of envelopes.
type DeliveryResponse struct {
	Results []DeliveryResult `json:"results"`
}

// DeliveryResult is the outcome for one envelope, in request order.
type DeliveryResult struct {
	ID      string `json:"id"`      // envelope id, hex
	Status  string `json:"status"`  // stored, held or duplicate
	Receipt []byte `json:"receipt"` // signed delivered receipt, or refused receipt when the content was refused (base64 in JSON)
}

// ErrorResponse is the JSON body of every refusal.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody carries the code, a message safe to show and the item index.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Index   *int   `json:"index,omitempty"`
}
