// Package transcript implements Parley's transcripts: for each direction of
// each channel, an append-only Merkle log of envelope hashes; checkpoints of
// that log signed by the sender and cosigned by the receiver; inclusion and
// consistency proofs; and evidence of equivocation.
//
// The package is pure: it does no I/O and keeps no state but what its
// callers give it. The Merkle math is golang.org/x/mod/sumdb/tlog's and the
// signed notes are golang.org/x/mod/sumdb/note's; this package fixes how
// Parley uses them. This documentation is the specification: everything
// needed to verify a Parley transcript without this code is below.
//
// # Entries and the tree
//
// An entry is the 32-byte SHA-256 of the wire bytes of an envelope (or a
// receipt). The log is an RFC 6962 Merkle tree over the entries in the order
// they were appended:
//
//	leaf hash   = SHA-256(0x00 || entry)          (LeafHash, tlog.RecordHash)
//	node hash   = SHA-256(0x01 || left || right)  (tlog.NodeHash)
//	empty tree  = SHA-256("")
//
// with the tree of n > 1 leaves split at the largest power of two below n
// (RFC 6962, section 2.1). Inclusion proofs are RFC 6962 audit paths and
// consistency proofs RFC 6962 consistency proofs, as produced by
// tlog.ProveRecord and tlog.ProveTree; the consistency proof from the empty
// tree is empty. Sizes and indexes are below MaxSize (2^62).
//
// A log is stored as tlog stores it: the hashes of all complete subtrees,
// at the indexes given by tlog.StoredHashIndex. An Appender computes what to
// store for a batch of appends; MemoryLog is such a log in memory.
//
// # Checkpoints
//
// A checkpoint body is the C2SP tlog-checkpoint body with no extension lines,
// exactly three lines each ending in a newline (0x0A) and nothing else:
//
//	<origin>\n
//	<size>\n
//	<root>\n
//
// origin is 1 to 255 bytes in the range 0x21 to 0x7E and names the log;
// size is the number of entries in decimal ASCII without sign or leading
// zeros ("0" for the empty log), below 2^62; root is the tree hash in
// standard base64 with padding (RFC 4648, section 4), 44 characters,
// canonical (the unused bits of the last character are zero). Anything else
// is refused; a body that is accepted is byte for byte the encoding of the
// parsed checkpoint.
//
// # Keys and signatures
//
// A Key has a name (1 to 255 bytes in 0x21 to 0x7E, not '+'), public key
// bytes, and a signature scheme sign(context, msg) / verify(context, msg,
// sig) that binds a context string to the message. Parley identities use a
// hybrid Ed25519 + ML-DSA-65 scheme defined outside this package; the test
// vectors in testdata/checkpoint_v1.json use Ed25519ctx (RFC 8032) with the
// context as its context string.
//
// Signed checkpoints are C2SP signed notes: the checkpoint body, a blank
// line, then signature lines "— <key name> <base64 of key hash || sig>\n"
// (U+2014 em dash, space, name, space, standard base64). The key hash is the
// C2SP one: the first four bytes, read as a big-endian uint32, of
//
//	SHA-256(key name || 0x0A || alg || public key)
//
// Two kinds of signature lines are defined:
//
//   - Checkpoint signature, alg AlgCheckpoint (0x50): sig is
//     sign("parley/v1/checkpoint", body).
//   - Cosignature, alg AlgCosignature (0x51), as C2SP tlog-cosignature/v1:
//     sig is the 8-byte big-endian Unix time T in seconds (T < 2^63)
//     followed by sign("parley/v1/cosignature", msg), where msg is
//     "cosignature/v1\ntime <T>\n" (T in decimal) followed by the body.
//
// The same key thus signs checkpoints and cosignatures under different key
// hashes and different contexts: a signature of one kind never verifies as
// the other. The sender of a direction signs its checkpoints; the receiver
// cosigns them after checking consistency with the last one it cosigned.
//
// # Opening a signed checkpoint
//
// Open accepts a note only if: it is at most MaxNoteBytes; it is valid UTF-8
// with no control characters but newline; the text before the last blank
// line is a checkpoint body as above; every signature line is well formed
// with canonical base64 of at least five bytes; at most 100 lines; no line
// with the name and key hash of the signer or of a given witness is
// repeated or fails to verify; and the signer's checkpoint signature is
// present. Lines of other keys are ignored. It returns the checkpoint and
// the time of each given witness's valid cosignature.
//
// # Equivocation evidence
//
// Two signed notes whose checkpoints are validly signed by the same key,
// with the same origin and size but different roots, prove that the signer
// showed two different logs (CheckEquivocation). They are carried as
//
//	parley equivocation evidence v1\n
//	<length of A>\n
//	<A>
//	<length of B>\n
//	<B>
//
// where each length is decimal ASCII without leading zeros, 1 to
// MaxNoteBytes, and each note is the exact signed-note bytes, ending in a
// newline. Nothing may follow B; the whole is at most MaxEquivocationBytes.
//
// # Guarantees
//
//   - Appending the same entries, in whatever batches, yields the same
//     stored hashes and roots as tlog computes for the whole log.
//   - A proof verifies only for the entry, index, sizes and roots it was made
//     for; failures wrap ErrProof.
//   - Parsers of untrusted bytes (ParseCheckpoint, Open, DecodeEquivocation)
//     are bounded and never panic. ParseCheckpoint and DecodeEquivocation
//     accept one encoding per value: what they accept re-encodes to the same
//     bytes. Open's checkpoint body and the signer's and witnesses'
//     signature lines are likewise canonical; other lines are ignored.
//   - A checkpoint signature by a Key is valid only over a checkpoint body:
//     its Signer refuses to sign any other text, as does its Cosigner.
package transcript
