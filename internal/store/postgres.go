package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// OpenPostgres connects to the PostgreSQL database at url
// ("postgres://user:pass@host:port/db?sslmode=…") and applies pending
// migrations. Several processes may open the same database.
func OpenPostgres(ctx context.Context, url string) (*DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(16)
	db.SetConnMaxIdleTime(time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w (hint: check the store URL and that the server is running)", err)
	}
	s := &DB{db: db, dialect: "postgres", forUpdate: " FOR UPDATE", claims: true, perRow: " OFFSET 0"}
	if _, err := migrate(ctx, s); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
