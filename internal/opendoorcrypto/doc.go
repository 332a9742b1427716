// Package opendoorcrypto is the cryptography and the formats of the open
// door, Parley's anonymous intake (SPEC §2 "Open door", §3 guarantee 8;
// docs/opendoor.md has the specification these functions follow):
//
//   - codenames: CodenameWords words drawn uniformly from Words (about 89.8
//     bits), normalised before use so that case, spacing and punctuation do
//     not matter;
//   - the derivation of a visitor's lookup key, verifier and reply key pair
//     from a codename with Argon2id (Derive), so that the server stores only
//     the lookup key, the verifier and the reply public key;
//   - sealed items: each item is encrypted with its own random data key
//     (ChaCha20-Poly1305), and only that data key is sealed with HPKE
//     (MLKEM768-X25519, HKDF-SHA256, ChaCha20-Poly1305) to each recipient,
//     so that deleting the wrapped data keys destroys the item
//     (crypto-shredding) even for the holder of the private key;
//   - the open-door key files and the encoding of a submission's content.
//
// The package is pure: it does no I/O beyond reading randomness, and knows
// nothing of databases or HTTP. Known-answer vectors are in testdata/.
package opendoorcrypto
