package taxii

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/parley-dev/parley/internal/parley"
)

// HashParams are Argon2id's costs (RFC 9106).
type HashParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultParams are the costs of new hashes: RFC 9106's second
// recommended option (64 MiB, 3 passes), on one thread.
var DefaultParams = HashParams{Memory: 64 << 10, Time: 3, Threads: 1}

// Bounds on the costs Verify accepts from a stored hash, so that an altered
// database cannot make one request cost gigabytes.
const (
	maxMemory  = 1 << 20 // 1 GiB
	maxTime    = 16
	maxThreads = 16
)

// HashSecret returns the Argon2id hash of secret with a fresh 16-byte salt,
// as a PHC string ("$argon2id$v=19$m=65536,t=3,p=1$salt$hash").
func HashSecret(secret string, p HashParams) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	sum := argon2.IDKey([]byte(secret), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(sum))
}

// ErrBadHash reports a stored hash that is not an Argon2id PHC string
// within the accepted costs.
var ErrBadHash = errors.New("not an Argon2id hash")

// VerifySecret reports whether secret matches a hash made by HashSecret,
// comparing in constant time.
func VerifySecret(secret, hash string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false, ErrBadHash
	}
	var p HashParams
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); n != 3 || err != nil ||
		p.Memory < 8 || p.Memory > maxMemory || p.Time < 1 || p.Time > maxTime || p.Threads < 1 || p.Threads > maxThreads {
		return false, ErrBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) < 16 || len(want) > 64 {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(secret), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// An API token is "taxii_" + a public id of 16 hex digits + "_" + a secret
// of 43 base64url characters (32 random bytes). The id finds the user; the
// secret is verified against its hash.
const tokenPrefix = "taxii_"

// NewToken returns a fresh token and its public id.
func NewToken() (token, id string) {
	b := make([]byte, 8+32)
	rand.Read(b)
	id = hex.EncodeToString(b[:8])
	return tokenPrefix + id + "_" + base64.RawURLEncoding.EncodeToString(b[8:]), id
}

// splitToken returns a token's id and secret.
func splitToken(tok string) (id, secret string, ok bool) {
	rest, ok := strings.CutPrefix(tok, tokenPrefix)
	if !ok || len(rest) != 16+1+43 || rest[16] != '_' {
		return "", "", false
	}
	id, secret = rest[:16], rest[17:]
	if _, err := hex.DecodeString(id); err != nil || strings.ToLower(id) != id {
		return "", "", false
	}
	return id, secret, true
}

// authenticator checks credentials. Successful checks are remembered for a
// few minutes under an HMAC of the credentials with a key that lives only
// in memory, so that a tool paging through a collection does not pay the
// memory-hard hash on every request; a remembered check still reloads the
// user and holds only while its stored hash is unchanged.
type authenticator struct {
	users Users
	now   func() time.Time
	// slots bounds concurrent hash computations (each may take 64 MiB).
	slots chan struct{}

	key   []byte
	dummy string // verified against when the user is unknown, for timing

	mu    sync.Mutex
	cache map[[32]byte]cached
}

// Users finds TAXII users; ErrNotFound for unknown ones.
type Users interface {
	TAXIIUser(ctx context.Context, name string) (parley.TAXIIUser, error)
	TAXIIUserByToken(ctx context.Context, tokenID string) (parley.TAXIIUser, error)
}

type cached struct {
	hash  string // the stored hash the credentials matched
	until time.Time
}

const (
	cacheTTL     = 5 * time.Minute
	cacheEntries = 4096
)

func newAuthenticator(users Users, now func() time.Time, dummyParams HashParams) *authenticator {
	a := &authenticator{users: users, now: now, slots: make(chan struct{}, 2), cache: map[[32]byte]cached{}}
	a.key = make([]byte, 32)
	rand.Read(a.key)
	a.dummy = HashSecret("unknown user", dummyParams)
	return a
}

// errUnauthenticated is a request without valid credentials.
var errUnauthenticated = errors.New("unauthenticated")

// authenticate returns the user the request's Authorization header names,
// or errUnauthenticated; other errors are the store's.
func (a *authenticator) authenticate(r *http.Request) (parley.TAXIIUser, error) {
	ctx := r.Context()
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	var lookup func() (parley.TAXIIUser, error)
	var secret string
	var hashOf func(parley.TAXIIUser) string
	switch strings.ToLower(scheme) {
	case "basic":
		name, pw, ok := r.BasicAuth()
		if !ok || name == "" {
			return parley.TAXIIUser{}, errUnauthenticated
		}
		secret = pw
		lookup = func() (parley.TAXIIUser, error) { return a.users.TAXIIUser(ctx, name) }
		hashOf = func(u parley.TAXIIUser) string { return u.Password }
		cred = "basic\x00" + name + "\x00" + pw
	case "bearer", "token":
		id, sec, ok := splitToken(cred)
		if !ok {
			return parley.TAXIIUser{}, errUnauthenticated
		}
		secret = sec
		lookup = func() (parley.TAXIIUser, error) { return a.users.TAXIIUserByToken(ctx, id) }
		hashOf = func(u parley.TAXIIUser) string { return u.TokenHash }
		cred = "token\x00" + cred
	default:
		return parley.TAXIIUser{}, errUnauthenticated
	}
	mac := hmac.New(sha256.New, a.key)
	mac.Write([]byte(cred))
	var key [32]byte
	copy(key[:], mac.Sum(nil))

	u, err := lookup()
	if errors.Is(err, parley.ErrNotFound) {
		a.verify(secret, a.dummy) // the same work as for a known user
		return u, errUnauthenticated
	} else if err != nil {
		return u, err
	}
	stored := hashOf(u)
	if stored == "" {
		a.verify(secret, a.dummy)
		return u, errUnauthenticated
	}
	now := a.now()
	a.mu.Lock()
	c, ok := a.cache[key]
	a.mu.Unlock()
	if ok && c.hash == stored && now.Before(c.until) {
		return u, nil
	}
	if !a.verify(secret, stored) {
		return u, errUnauthenticated
	}
	a.mu.Lock()
	if len(a.cache) >= cacheEntries {
		clear(a.cache)
	}
	a.cache[key] = cached{hash: stored, until: now.Add(cacheTTL)}
	a.mu.Unlock()
	return u, nil
}

func (a *authenticator) verify(secret, hash string) bool {
	a.slots <- struct{}{}
	defer func() { <-a.slots }()
	ok, err := VerifySecret(secret, hash)
	return ok && err == nil
}
