// Package parley is the domain of a Parley node: peers, channels, messages,
// receipts, and the use cases that move them (send, receive, read), over the
// small storage interfaces declared here and implemented in internal/store.
//
// Guarantees kept by this package (SPEC §3):
//
//   - Nothing is acknowledged before it is durable: an outbound envelope, its
//     sequence number and its outbox entry are committed in one transaction
//     before any delivery is attempted; an inbound envelope is verified,
//     opened and committed before its signed receipt is released.
//   - Inbound handling is idempotent by envelope id and strictly ordered by
//     per-direction sequence number: an envelope is never applied twice, and
//     out-of-order envelopes are held until the gap fills.
//   - Every refusal carries an error code (see Code) that the federation
//     adapter maps to an HTTP status and the CLI to a message.
package parley
