package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
)

// Open opens the store named by spec: "sqlite:FILE" (FILE relative to dir
// unless absolute) or a "postgres://" / "postgresql://" URL.
func Open(ctx context.Context, spec, dir string) (*DB, error) {
	switch {
	case strings.HasPrefix(spec, "sqlite:") && len(spec) > len("sqlite:"):
		p := strings.TrimPrefix(spec, "sqlite:")
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return OpenSQLite(ctx, p)
	case strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://"):
		return OpenPostgres(ctx, spec)
	}
	return nil, fmt.Errorf("store %q: want sqlite:FILE or postgres://…", Redact(spec))
}

// Redact hides the password of a store URL, for logs and messages.
func Redact(spec string) string {
	if i := strings.Index(spec, "://"); i >= 0 {
		rest := spec[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if c := strings.Index(rest[:at], ":"); c >= 0 {
				return spec[:i+3] + rest[:c] + ":xxxxx" + rest[at:]
			}
		}
	}
	return spec
}
