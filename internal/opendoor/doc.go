// Package opendoor is the HTTP adapter of the open door, Parley's anonymous
// intake (SPEC §2 "Open door", §3 guarantee 8; docs/opendoor.md): a small
// set of pages, in English and French, served on their own listener, that
// work without JavaScript.
//
// What it promises, and what its tests check:
//
//   - Every response carries strict headers (a CSP that allows nothing but
//     this origin's stylesheet and forms, no referrer, no caching, nosniff,
//     same-origin COOP and CORP) and no Date; no page has a script or a
//     resource from another origin; no cookie is ever set.
//   - Nothing that identifies a visitor is stored or logged: the handler
//     never looks at the remote address, the user agent or forwarding
//     headers, logs no request, and stores dates, never times. ErrorLog
//     scrubs addresses from net/http's own messages.
//   - A submission is sealed in memory the moment it has been read
//     (opendoorcrypto.SealItem, to the organisation's open-door key); bodies
//     are streamed into memory within limits, never through net/http's
//     multipart parser, which spills large files to temporary files.
//   - A codename check costs the same whether the codename is right or
//     wrong (one Argon2id derivation, one lookup, one constant-time
//     comparison), answers with exactly the same number of bytes, and
//     answers at a multiple of Config.CheckTime.
//   - Abuse is limited without identity: a global rate, a per-codename
//     rate, size caps, and bounded queues that shed load with 503 rather
//     than grow or let requests through unchecked.
//
// Routes: GET / (languages), GET /static/style.css, and under /{lang}/:
// GET / (advice), GET and POST new (a first submission), POST confirm (the
// codename typed back), GET and POST return (the codename check, showing
// replies), POST write (a returning visitor's submission).
package opendoor
