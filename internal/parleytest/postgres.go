package parleytest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/parley-dev/parley/internal/store"
)

// PostgresURL returns the server URL of the test PostgreSQL cluster from
// $PARLEY_TEST_POSTGRES (set by scripts/test.sh). Without it the test is
// skipped with a visible message, or fails when $CI is "true": CI must
// exercise both backends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("PARLEY_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PARLEY_TEST_POSTGRES is not set but CI=true: the PostgreSQL tests must run in CI (run the suite with scripts/test.sh)")
		}
		t.Skip("PostgreSQL tests skipped: PARLEY_TEST_POSTGRES is not set (scripts/test.sh starts a throwaway server and sets it)")
	}
	return u
}

// NewPostgresDatabase creates a fresh database on the test server, dropped
// at cleanup, and returns its URL.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "parley_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// NewPostgresStore opens a store on a fresh PostgreSQL database.
func NewPostgresStore(t testing.TB) *store.DB {
	t.Helper()
	st, err := store.OpenPostgres(context.Background(), NewPostgresDatabase(t))
	if err != nil {
		t.Fatalf("opening PostgreSQL store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
