package parley

import (
	"context"
	"fmt"
	"time"
)

// Roles of the analysts who use the web UI, from least to most trusted.
const (
	RoleAnalyst    = "analyst"    // reads channels, the board and hits; composes
	RoleSupervisor = "supervisor" // an analyst who also sees proofs and statistics
	RoleAdmin      = "admin"      // everything
)

// ValidRole checks a web UI role.
func ValidRole(r string) error {
	switch r {
	case RoleAnalyst, RoleSupervisor, RoleAdmin:
		return nil
	}
	return fmt.Errorf("role %q: want analyst, supervisor or admin", r)
}

// RoleRank orders roles: analyst 1, supervisor 2, admin 3; 0 for others.
func RoleRank(r string) int {
	switch r {
	case RoleAnalyst:
		return 1
	case RoleSupervisor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// WebUser is an account of the web UI.
type WebUser struct {
	Name     string
	Role     string
	Password string // Argon2id hash (PHC string)
	// TOTPSecret is the base32 secret of the second factor; "" when the
	// user has none (analysts).
	TOTPSecret string
	CreatedAt  time.Time
}

// WebSession is a signed-in browser. The store keeps only the hash of the
// cookie's value, so a copy of the database signs no one in.
type WebSession struct {
	IDHash    string // hex SHA-256 of the cookie value
	User      string
	CSRF      string // the token every form of the session carries
	CreatedAt time.Time
	ExpiresAt time.Time
}

// WebStore keeps the web UI's accounts and sessions. Implementations are
// safe for concurrent use.
type WebStore interface {
	// AddWebUser stores a user; ErrExists if the name is taken.
	AddWebUser(ctx context.Context, u WebUser) error
	// RemoveWebUser deletes a user and their sessions; ErrNotFound if there
	// is none.
	RemoveWebUser(ctx context.Context, name string) error
	// WebUser returns ErrNotFound for an unknown user.
	WebUser(ctx context.Context, name string) (WebUser, error)
	// WebUsers lists the users by name.
	WebUsers(ctx context.Context) ([]WebUser, error)
	// AddWebSession stores a session and deletes those expired at its
	// CreatedAt, in one transaction.
	AddWebSession(ctx context.Context, s WebSession) error
	// WebSession returns the session unless it expired at now;
	// ErrNotFound otherwise.
	WebSession(ctx context.Context, idHash string, now time.Time) (WebSession, error)
	// DeleteWebSession ends a session; deleting none is not an error.
	DeleteWebSession(ctx context.Context, idHash string) error
}
