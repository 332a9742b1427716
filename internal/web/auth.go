package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/argon2"
)

// HashParams are Argon2id costs.
type HashParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams are the costs of new password hashes: RFC 9106's second
// recommended option (64 MiB, 3 passes), on one thread.
var DefaultParams = HashParams{Memory: 64 << 10, Time: 3, Threads: 1}

// Bounds on the costs VerifyPassword accepts from a stored hash, so that an
// altered database cannot make one login cost gigabytes.
const (
	maxMemory  = 1 << 20
	maxTime    = 16
	maxThreads = 16
)

// MinPasswordBytes is the shortest password accepted for a new account.
const MinPasswordBytes = 12

// HashPassword returns the Argon2id hash of pw with a fresh 16-byte salt, as
// a PHC string ("$argon2id$v=19$m=65536,t=3,p=1$salt$hash").
func HashPassword(pw string, p HashParams) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	sum := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(sum))
}

// ErrBadHash reports a stored hash that is not an Argon2id PHC string
// within the accepted costs.
var ErrBadHash = errors.New("not an Argon2id hash")

// VerifyPassword reports whether pw matches a hash made by HashPassword,
// comparing in constant time.
func VerifyPassword(pw, hash string) (bool, error) {
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
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified when a login names no account, so that the answer
// takes as long as for a wrong password. Made on first use, not at start:
// every parley command links this package.
var dummyHash = sync.OnceValue(func() string { return HashPassword("no such user", DefaultParams) })

// NewTOTP returns a fresh TOTP secret (base32) for the account and the
// otpauth:// URL an authenticator app reads.
func NewTOTP(issuer, account string) (secret, url string, err error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account})
	if err != nil {
		return "", "", fmt.Errorf("generating a TOTP secret: %w", err)
	}
	return k.Secret(), k.URL(), nil
}

// totpStep returns the 30-second time step whose code is code, within one
// step of now either way (clock drift), and whether there is one.
func totpStep(code, secret string, now time.Time) (int64, bool) {
	code = strings.TrimSpace(code)
	opts := totp.ValidateOpts{Period: 30, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, d := range []time.Duration{0, -30 * time.Second, 30 * time.Second} {
		t := now.Add(d).UTC()
		if ok, err := totp.ValidateCustom(code, secret, t, opts); err == nil && ok {
			return t.Unix() / 30, true
		}
	}
	return 0, false
}

// usedCodes remembers, per user, the time step of the last TOTP code
// accepted, so that a code seen over a shoulder or in a proxy log cannot
// sign in a second time. It is per process: serve processes sharing a
// PostgreSQL store do not share it.
type usedCodes struct {
	mu   sync.Mutex
	last map[string]int64
}

// accept reports whether step is later than the user's last accepted one,
// and records it if so.
func (u *usedCodes) accept(user string, step int64) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.last == nil {
		u.last = map[string]int64{}
	}
	if step <= u.last[user] {
		return false
	}
	u.last[user] = step
	return true
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSessionID is what the store keeps of a session cookie's value.
func hashSessionID(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// equalToken compares two tokens in constant time.
func equalToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// throttle limits failed logins: per account, after maxFails failures in a
// row the account is locked for lockout, doubling with each further
// failure up to maxLockout; and overall, at most globalPerMinute failures a
// minute for everyone together. A success clears the account's count.
type throttle struct {
	mu       sync.Mutex
	accounts map[string]*failures
	window   time.Time // start of the current minute of the global count
	global   int
	perMin   int
}

type failures struct {
	n     int
	until time.Time
}

const (
	maxFails   = 5
	lockout    = time.Minute
	maxLockout = 15 * time.Minute
)

// allowed reports whether a login attempt for name may be checked now.
func (t *throttle) allowed(name string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Sub(t.window) >= time.Minute {
		t.window, t.global = now, 0
	}
	if t.global >= t.perMin {
		return false
	}
	f := t.accounts[name]
	return f == nil || !now.Before(f.until)
}

// failed records a failed attempt.
func (t *throttle) failed(name string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.global++
	if t.accounts == nil {
		t.accounts = map[string]*failures{}
	}
	if len(t.accounts) > 10000 { // bound memory under a flood of names
		clear(t.accounts)
	}
	f := t.accounts[name]
	if f == nil {
		f = &failures{}
		t.accounts[name] = f
	}
	f.n++
	if f.n >= maxFails {
		d := lockout << min(f.n-maxFails, 4)
		f.until = now.Add(min(d, maxLockout))
	}
}

// succeeded clears an account's failures.
func (t *throttle) succeeded(name string) {
	t.mu.Lock()
	delete(t.accounts, name)
	t.mu.Unlock()
}
