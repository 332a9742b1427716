// Package contact implements Parley's contact handshake: two people who share
// a low-entropy secret (answers to questions agreed out of band) derive a
// strong, mutually confirmed session key bound to an invitation and to both
// parties' identities. It is a pure package: it imports nothing of Parley's,
// does no I/O and keeps no global state.
//
// # Layers
//
// The package has three layers, each usable on its own:
//
//   - CPace (cpace.go): the balanced PAKE CPace, ciphersuite
//     CPACE-RISTR255-SHA512, implemented from the specification
//     draft-irtf-cfrg-cpace-21 ("CPace, a balanced composable PAKE",
//     editor's copy dated 23 April 2026, as held in
//     github.com/cfrg/draft-irtf-cfrg-cpace under
//     draft-irtf-cfrg-cpace-21/draft-irtf-cfrg-cpace.txt). Start and
//     (*State).Finish produce the intermediate session key ISK in the
//     initiator-responder setting (transcript_ir) or the symmetric setting
//     (transcript_oc). The group is ristretto255 (RFC 9496, via
//     github.com/gtank/ristretto255) and the hash SHA-512.
//   - The session layer (session.go): NewInitiator, Respond, Finish, Confirm
//     and Verify run CPace in the initiator-responder setting together with an
//     ML-KEM-768 exchange (crypto/mlkem), derive the session key and two
//     confirmation tags with HKDF-SHA-512 over the whole transcript, and
//     confirm the key in both directions. The key schedule is documented at
//     the top of session.go; the wire format in message.go.
//   - Answer normalisation (normalise.go): NormaliseAnswers turns the answers
//     people type into the secret both sides feed to the handshake.
//
// # CPace as implemented
//
// Following Sections 6-8 and Appendix A of the draft:
//
//   - prepend_len is the LEB128 length followed by the bytes; lv_cat
//     concatenates prepend_len of each argument.
//   - generator_string = lv_cat(DSI, PRS, zero_bytes(len_zpad), CI, sid) with
//     DSI = "CPaceRistretto255" and len_zpad = max(0, 128 - 1 -
//     len(prepend_len(PRS)) - len(prepend_len(DSI))), so that DSI and PRS
//     fill the first SHA-512 block.
//   - The generator is the ristretto255 element derivation (RFC 9496, 4.3.4;
//     SetUniformBytes) of the 64-byte SHA-512 of the generator string.
//   - Scalars are 32 random bytes with the bits above 252 cleared, read little
//     endian (the RECOMMENDED sampling of Section 8.3); zero is rejected.
//   - A party's message is lv_cat(Y, AD). The draft leaves the network
//     encoding to the application; this encoding is the one its transcripts
//     hash, and it is parsed strictly (32-byte Y, minimal LEB128 lengths, AD
//     at most MaxADSize bytes, no trailing bytes).
//   - K = scalar_mult_vfy(y, Y_peer); the run aborts with ErrInvalidPoint if
//     Y_peer is not a canonical encoding and with ErrIdentity if K is the
//     identity (the draft's "abort if K = G.I").
//   - ISK = SHA-512(lv_cat("CPaceRistretto255_ISK", sid, K) || transcript),
//     transcript_ir = lv_cat(Ya,ADa) || lv_cat(Yb,ADb) and transcript_oc =
//     "oc" || the lexicographically larger of the two, then the other.
//   - The optional sid_output of Section 10.6 is available as
//     (*State).SidOutput.
//
// Every value of the draft's Appendix B.3 (generator string, hash, generator,
// Ya, Yb, K, both transcripts, ISK in both settings, sid_output, the valid and
// invalid scalar_mult_vfy cases) and of the string-utility vectors of
// Appendix A is reproduced by vector_test.go from
// testdata/cpace_ristretto255_sha512.json.
//
// # Guarantees of the handshake
//
//   - Both parties obtain the same key, and both confirmations verify, if and
//     only if they used the same secret, invitation id, initiator identity and
//     responder identity and saw the same two messages. Otherwise Confirm (at
//     the responder) and Verify (at the initiator) return ErrConfirmation,
//     which carries no detail about the cause.
//   - An active attacker learns at most whether one guess of the secret was
//     right per handshake it takes part in; a passive one learns nothing
//     about the secret (CPace's security, [AHH21]).
//   - The session key also depends on an ML-KEM-768 shared secret, so a
//     recorded handshake stays confidential against a future quantum
//     computer that can solve discrete logarithms, as long as ML-KEM holds.
//     (Password authentication itself remains CPace's, and so classical.)
//   - Every state is single-use: scalars and keys are erased after use, and a
//     step that fails ends the handshake.
//
// Errors are sentinels for errors.Is: ErrBadInput, ErrInvalidMessage,
// ErrInvalidPoint, ErrIdentity, ErrStateUsed, ErrConfirmation, ErrEmptyAnswer
// and ErrInvalidAnswer. Wrapped errors name the failing step ("respond: …").
//
// [AHH21]: https://eprint.iacr.org/2021/114
package contact
