// Package taxii serves a node's channels over TAXII 2.1 (OASIS Standard,
// 10 June 2021) for the organisation's own tools (OpenCTI, MISP, scripts),
// and pulls objects from other TAXII 2.1 servers.
//
// # Resources
//
// Under /taxii2/: the discovery resource, one API root (/taxii2/api/), and
// for each channel two collections: "PEER-in", read-only, the STIX objects
// the peer sent (applied in order and not refused), and "PEER-out", the
// objects this node sent to the peer, to which tools add objects. Collection
// ids are UUIDs (version 5) derived from the channel id, stable for the
// life of the channel. Every Endpoint of the standard is served: objects
// (GET with added_after, limit, next, match[id], match[type],
// match[version], match[spec_version]; POST), one object, its versions, the
// manifest, and the status of a POST. DELETE of an object is refused (403):
// what a channel carried stays as evidence.
//
// # Guarantees
//
//   - Every request is authenticated (HTTP Basic, or a bearer API token)
//     against users whose secrets are stored only as Argon2id hashes and
//     compared in constant time; a user sees only the collections it was
//     given and objects marked at most its TLP.
//   - Objects are served as the exact bytes the channel carried, in the
//     order they were added to the collection; date_added values are unique
//     within a collection, so next and added_after never skip or repeat.
//   - Objects posted to an outbound collection are one message to the peer,
//     composed like `parley send`: the channel's policy, Parley's STIX rules,
//     originator control, sealing and signing. The status of the POST
//     follows each object to the peer's signed delivered receipt (complete)
//     or refusal (failure).
//   - Nothing from one channel appears in another channel's collections.
//   - Responses are application/taxii+json;version=2.1; errors are TAXII
//     error messages. Internal detail is logged, never sent.
//
// The handler reads and writes through Backend, which the node's store and
// its Compose use case satisfy (see cmd/parley).
package taxii
