// Package web is the analysts' web UI (SPEC §5, docs/web.md): server-rendered
// html/template pages over the node's use cases, on a listener of its own
// (web_listen), usable without JavaScript and loading nothing from elsewhere.
//
// Guarantees:
//   - Every response carries strict headers: a Content-Security-Policy that
//     allows only this origin's stylesheet and images and forms posting back
//     to it, no framing, no-store, nosniff and no-referrer.
//   - Every page but the login page and the stylesheet needs a session: a
//     random 256-bit value in a cookie (HttpOnly, SameSite=Strict, Secure and
//     __Host- prefixed when served over TLS), kept server-side only as its
//     SHA-256, expiring after Config.SessionTTL.
//   - Every POST carries a CSRF token, compared in constant time: the
//     session's for signed-in forms, a double-submitted cookie for the login
//     form.
//   - Passwords are Argon2id hashes; supervisors and admins also give a TOTP
//     code (RFC 6238). Failed logins are throttled per account and overall.
//   - Roles (analyst < supervisor < admin) are checked per route.
package web
