package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// TestCopyTablesCoverSchema: `parley store copy` moves every table; a table
// added by a migration but not to copyTables would be silently left behind.
func TestCopyTablesCoverSchema(t *testing.T) {
	st, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for _, c := range copyTables {
		names = append(names, c.name)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		// watchlist_version is a one-row counter that every migrated
		// database already holds; running nodes only compare it for change.
		if !slices.Contains(names, n) && n != "watchlist_version" {
			t.Errorf("table %s is not in copyTables", n)
		}
	}
}
