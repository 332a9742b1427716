package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/store"
)

func cmdMigrate(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "migrate", "migrate [--dir DIR] [--store SPEC] [--json]")
	dir := dirFlag(fs)
	spec := fs.String("store", "", "store to migrate (default: the store in the node's configuration)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *spec == "" {
		cfg, err := LoadConfig(*dir)
		if err != nil {
			return err
		}
		*spec = cfg.Store
	}
	st, err := store.Open(ctx, *spec, *dir) // applies pending migrations
	if err != nil {
		return err
	}
	defer st.Close()
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c.stdout, map[string]any{"store": store.Redact(*spec), "dialect": st.Dialect(), "schema_version": v})
	}
	fmt.Fprintf(c.stdout, "%s is at schema version %d\n", store.Redact(*spec), v)
	return nil
}

func cmdStore(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 || args[0] != "copy" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(c.stderr, "Usage: parley store copy --from SPEC --to SPEC [--dir DIR] [--json]")
			return nil
		}
		return usagef("want `parley store copy --from SPEC --to SPEC`")
	}
	fs := newFlags(c, "store copy", "store copy --from SPEC --to SPEC [--dir DIR] [--json]")
	dir := dirFlag(fs)
	from := fs.String("from", "", `source store, e.g. sqlite:parley.db (relative to --dir) (required)`)
	to := fs.String("to", "", `destination store, e.g. postgres://user:pass@host:5432/parley (required; must be empty)`)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *from == "" || *to == "" {
		return usagef("--from and --to are required")
	}
	id, err := parley.ReadKeyFile(filepath.Join(*dir, keyFileName))
	if err != nil {
		return fmt.Errorf("loading this node's identity from --dir %s (needed to verify what is copied): %w", *dir, err)
	}
	src, err := store.Open(ctx, *from, *dir)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer src.Close()
	dst, err := store.Open(ctx, *to, *dir)
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	defer dst.Close()
	start := time.Now()
	if ps, err := dst.Peers(ctx); err != nil {
		return err
	} else if len(ps) > 0 {
		return fmt.Errorf("copy: the destination already holds %d peer(s); copy only into an empty store", len(ps))
	}
	fmt.Fprintf(c.stderr, "verifying the source…\n")
	sa, err := store.Verify(ctx, src, id.Public())
	if err != nil {
		return err
	}
	if len(sa.Problems) > 0 {
		return fmt.Errorf("the source does not verify; nothing was copied:\n  %s", strings.Join(sa.Problems, "\n  "))
	}
	progress := func(table string, n int) {
		if !*asJSON {
			fmt.Fprintf(c.stderr, "copying %-14s %d rows\n", table, n)
		}
	}
	counts, err := store.Copy(ctx, src, dst, progress)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "verifying the copy…\n")
	da, err := store.Verify(ctx, dst, id.Public())
	if err != nil {
		return err
	}
	var problems []string
	problems = append(problems, da.Problems...)
	if sa.Messages != da.Messages || sa.Receipts != da.Receipts || sa.Peers != da.Peers {
		problems = append(problems, fmt.Sprintf("counts differ: source %d peers, %d messages, %d receipts; destination %d, %d, %d",
			sa.Peers, sa.Messages, sa.Receipts, da.Peers, da.Messages, da.Receipts))
	}
	res := map[string]any{"from": store.Redact(*from), "to": store.Redact(*to), "rows": counts,
		"messages_verified": da.Messages, "receipts_verified": da.Receipts, "problems": problems,
		"seconds": time.Since(start).Seconds()}
	if *asJSON {
		if err := printJSON(c.stdout, res); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(c.stdout, "Copied %d peers, %d messages, %d receipts from %s to %s in %.1fs\n",
			counts["peers"], counts["messages"], counts["receipts"], store.Redact(*from), store.Redact(*to), time.Since(start).Seconds())
		fmt.Fprintf(c.stdout, "Verified %d messages and %d receipts in the destination (signatures, commitments, hashes, sequence order).\n", da.Messages, da.Receipts)
	}
	if len(problems) > 0 {
		return fmt.Errorf("the copy does not verify, and the destination now holds it (empty it before trying again, e.g. DROP and CREATE the database):\n  %s", strings.Join(problems, "\n  "))
	}
	if !*asJSON {
		fmt.Fprintf(c.stdout, "To switch the node over, set  store = %q  in %s and restart it.\n", store.Redact(*to), filepath.Join(*dir, ConfigFile))
	}
	return nil
}
