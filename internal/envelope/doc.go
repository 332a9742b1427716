// Package envelope implements Parley's wire format: node identities (a hybrid
// Ed25519 + ML-DSA-65 signing key and an HPKE MLKEM768-X25519 key pair),
// sealed and signed envelopes, and signed receipts.
//
// The format is specified in docs/protocol.md; this package is its reference
// implementation. It is pure: it performs no storage and no network I/O.
//
// Guarantees:
//
//   - A hybrid signature verifies only if both the Ed25519 and the ML-DSA-65
//     signatures verify, so the evidence stays unforgeable if either scheme
//     is broken.
//   - The signature covers the exact header bytes received; nothing is
//     re-serialised to verify. Parsing is strict: a header has exactly one
//     encoding, so the signed part (header and signature) cannot be
//     malleated. The ciphertext is not signed: it is bound to the header by
//     the HPKE associated data and to the plaintext by the commitment, so a
//     party that knows the plaintext and salt (the recipient) could produce
//     other ciphertext bytes that open to the same content; identify an
//     envelope by its header and signature when that matters.
//   - Both identities are inside what is signed (the header) and inside the
//     HPKE info string, so a recipient cannot re-address a signed message to
//     someone else, and the ciphertext is bound to the header and signature
//     as HPKE associated data.
//   - The header carries a salted commitment to the plaintext, so one message
//     can later be disclosed (plaintext and salt) without revealing any key.
package envelope
