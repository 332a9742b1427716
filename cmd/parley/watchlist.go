package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parley-dev/parley/internal/match"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/stix"
)

func cmdWatchlist(ctx context.Context, c *cli, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "import":
			return cmdWatchlistImport(ctx, c, args[1:])
		case "list":
			return cmdWatchlistList(ctx, c, args[1:])
		case "match":
			return cmdWatchlistMatch(ctx, c, args[1:])
		case "-h", "--help", "help":
			fmt.Fprintln(c.stderr, "Usage: parley watchlist import FILE [--replace] [--json]\n       parley watchlist list [--limit N] [--json]\n       parley watchlist match NAME [--dob D] [--nationality CC] [--limit N] [--json]")
			return nil
		}
	}
	return usagef("want `parley watchlist import FILE`, `parley watchlist list` or `parley watchlist match NAME`")
}

// maxWatchlistFile bounds a file given to watchlist import.
const maxWatchlistFile = 1 << 30

// readWatchlistFile reads a CSV watchlist (header id,name,aliases,dob,nationality)
// or a STIX 2.1 bundle whose persons become entries. Malformed rows are
// returned as errors with their line numbers; the rest is kept.
func readWatchlistFile(path string) ([]match.Entry, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(io.LimitReader(f, maxWatchlistFile), 1<<16)
	head, _ := br.Peek(512)
	if t := bytes.TrimLeft(head, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '{' {
		b, err := io.ReadAll(io.LimitReader(br, stix.MaxBundleBytes+1))
		if err != nil {
			return nil, nil, err
		}
		if len(b) > stix.MaxBundleBytes {
			return nil, nil, fmt.Errorf("%s: a STIX bundle may be at most %d bytes; split it or use CSV", path, stix.MaxBundleBytes)
		}
		bd, err := stix.Parse(b, stix.Options{})
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		var es []match.Entry
		var bad []string
		check := match.NewIndex()
		for _, p := range bd.Persons() {
			e := match.Entry{ID: p.ObjectID, Name: p.Name, Aliases: p.Aliases, DOB: p.DOB, Nationalities: p.Nationalities}
			if err := check.Add(e); err != nil {
				bad = append(bad, fmt.Sprintf("%s: %v", p.ObjectID, err))
				continue
			}
			es = append(es, e)
		}
		return es, bad, nil
	}
	es, rowErrs, err := match.ReadWatchlistCSV(br)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w (a watchlist is a CSV file with the header %q, or a STIX bundle)", path, err, match.WatchlistHeader)
	}
	var bad []string
	for _, re := range rowErrs {
		bad = append(bad, re.Error())
	}
	return es, bad, nil
}

func cmdWatchlistImport(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "watchlist import", "watchlist import FILE [--replace] [--dir DIR] [--json]")
	dir := dirFlag(fs)
	replace := fs.Bool("replace", false, "make the file the whole watchlist (default: add to it, replacing entries with the same id)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one file: CSV with the header %q, or a STIX 2.1 bundle", match.WatchlistHeader)
	}
	es, bad, err := readWatchlistFile(pos[0])
	if err != nil {
		return err
	}
	for _, b := range bad {
		fmt.Fprintf(c.stderr, "skipped %s\n", b)
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	bar := newProgress(c.stderr, "importing", len(es))
	if err := o.node.Store.ImportWatchlist(ctx, es, *replace, bar.set); err != nil {
		return fmt.Errorf("import: %w (nothing was imported)", err)
	}
	bar.done()
	if *asJSON {
		return printJSON(c.stdout, map[string]any{"imported": len(es), "skipped": len(bad), "replace": *replace})
	}
	fmt.Fprintf(c.stdout, "Imported %d entries", len(es))
	if len(bad) > 0 {
		fmt.Fprintf(c.stdout, "; skipped %d malformed (listed above)", len(bad))
	}
	fmt.Fprintln(c.stdout, ".")
	return nil
}

// progress draws a progress bar on a terminal, and a line every 10% on
// anything else, for work of known size.
type progress struct {
	w          io.Writer
	what       string
	total      int
	tty        bool
	lastTenth  int
	start      time.Time
	everDrawn  bool
	smallLimit int
}

func newProgress(w io.Writer, what string, total int) *progress {
	return &progress{w: w, what: what, total: total, tty: isTerminal(w), lastTenth: -1, start: time.Now(), smallLimit: 20000}
}

func (p *progress) set(done int) {
	if p.total < p.smallLimit { // small work needs no bar
		return
	}
	if p.tty {
		const width = 30
		n := width * done / p.total
		fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d", p.what, strings.Repeat("#", n), strings.Repeat(" ", width-n), done, p.total)
		p.everDrawn = true
		return
	}
	if tenth := 10 * done / p.total; tenth > p.lastTenth {
		p.lastTenth = tenth
		fmt.Fprintf(p.w, "%s: %d/%d (%d%%)\n", p.what, done, p.total, 100*done/p.total)
	}
}

func (p *progress) done() {
	if p.everDrawn {
		fmt.Fprintf(p.w, "\r%s: %d done in %s%s\n", p.what, p.total, time.Since(p.start).Round(time.Millisecond), strings.Repeat(" ", 30))
	}
}

type watchEntryJSON struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Aliases       []string `json:"aliases"`
	DOB           string   `json:"dob"`
	Nationalities []string `json:"nationalities"`
}

func cmdWatchlistList(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "watchlist list", "watchlist list [--limit N] [--dir DIR] [--json]")
	dir := dirFlag(fs)
	limit := fs.Int("limit", 0, "print at most N entries (0: all)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	es, _, err := o.node.Store.Watchlist(ctx)
	if err != nil {
		return err
	}
	total := len(es)
	if *limit > 0 && len(es) > *limit {
		es = es[:*limit]
	}
	out := []watchEntryJSON{}
	for _, e := range es {
		out = append(out, watchEntryJSON{e.ID, e.Name, nonNil(e.Aliases), e.DOB, nonNil(e.Nationalities)})
	}
	if *asJSON {
		return printJSON(c.stdout, map[string]any{"total": total, "entries": out})
	}
	if total == 0 {
		fmt.Fprintln(c.stdout, "The watchlist is empty (hint: `parley watchlist import FILE`).")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tALIASES\tDOB\tNATIONALITY")
	for _, e := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.ID, e.Name, strings.Join(e.Aliases, " | "), e.DOB, strings.Join(e.Nationalities, ","))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(out) < total {
		fmt.Fprintf(c.stdout, "(%d of %d entries)\n", len(out), total)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type candidateJSON struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Score    float64 `json:"score"`
	Match    bool    `json:"match"`
	Evidence string  `json:"evidence"`
}

func cmdWatchlistMatch(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "watchlist match", "watchlist match NAME [--dob YYYY-MM-DD|YYYY] [--nationality CC] [--limit N] [--dir DIR] [--json]")
	dir := dirFlag(fs)
	dob := fs.String("dob", "", "date of birth: YYYY-MM-DD or YYYY")
	nat := fs.String("nationality", "", "nationality, ISO 3166-1 alpha-2")
	limit := fs.Int("limit", 10, "most candidates to print")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || strings.TrimSpace(pos[0]) == "" {
		return usagef("want exactly one name (quote it)")
	}
	if *dob != "" {
		if _, err := match.ParseDate(*dob); err != nil {
			return usagef("--dob: %v", err)
		}
	}
	if *limit < 1 || *limit > 1000 {
		return usagef("--limit must be 1 to 1000")
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	ix, err := o.node.Watchlist(ctx)
	if err != nil {
		return err
	}
	hits := ix.Match(match.Query{Name: pos[0], DOB: *dob, Nationality: *nat}, *limit)
	out := []candidateJSON{}
	for _, h := range hits {
		out = append(out, candidateJSON{h.ID, h.Name, h.Score, h.Score >= parley.HitThreshold, h.Explain()})
	}
	if *asJSON {
		return printJSON(c.stdout, map[string]any{"query": pos[0], "threshold": parley.HitThreshold, "candidates": out})
	}
	if ix.Len() == 0 {
		fmt.Fprintln(c.stdout, "The watchlist is empty (hint: `parley watchlist import FILE`).")
		return nil
	}
	if len(out) == 0 {
		fmt.Fprintf(c.stdout, "No candidate for %q among %d entries.\n", pos[0], ix.Len())
		return nil
	}
	for i, h := range out {
		mark := " "
		if h.Match {
			mark = "*"
		}
		fmt.Fprintf(c.stdout, "%s%2d. %.3f  %s  %s\n       %s\n", mark, i+1, h.Score, h.ID, h.Name, h.Evidence)
	}
	fmt.Fprintf(c.stdout, "(* at or above the operating threshold %.2f)\n", parley.HitThreshold)
	return nil
}

type hitJSON struct {
	MessageID  string    `json:"message_id"`
	Peer       string    `json:"peer"`
	ObjectID   string    `json:"object_id"`
	PersonName string    `json:"person_name"`
	EntryID    string    `json:"entry_id"`
	EntryName  string    `json:"entry_name"`
	Score      float64   `json:"score"`
	Evidence   string    `json:"evidence"`
	At         time.Time `json:"at"`
}

// cmdHits lists the watchlist hits raised by received person records.
func cmdHits(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "hits", "hits [--peer PEER] [--since DATE|DURATION] [--limit N] [--dir DIR] [--json]")
	dir := dirFlag(fs)
	peer := fs.String("peer", "", "only hits in messages from this peer")
	since := fs.String("since", "", "only hits since: 2026-01-31, an RFC 3339 time, or a duration ago (30d)")
	limit := fs.Int("limit", 100, "most hits to print (0: all)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	f := parley.HitFilter{Limit: *limit}
	if *since != "" {
		if f.Since, err = parseSince(*since, o.node.Now()); err != nil {
			return usagef("--since: %v", err)
		}
	}
	if f.Peer, err = optionalPeer(ctx, o, *peer); err != nil {
		return err
	}
	hs, err := o.node.Store.Hits(ctx, f)
	if err != nil {
		return err
	}
	out := []hitJSON{}
	for _, h := range hs {
		out = append(out, hitJSON{h.MessageID.String(), h.PeerName, h.ObjectID, h.PersonName, h.EntryID, h.EntryName, h.Score, h.Evidence, h.At})
	}
	if *asJSON {
		return printJSON(c.stdout, map[string]any{"hits": out})
	}
	if len(out) == 0 {
		fmt.Fprintln(c.stdout, "No hits.")
		return nil
	}
	for _, h := range out {
		fmt.Fprintf(c.stdout, "%s  %.3f  %q from %s ≈ watchlist %s %q\n    message %s; %s\n",
			h.At.Local().Format("2006-01-02 15:04"), h.Score, h.PersonName, h.Peer, h.EntryID, h.EntryName, h.MessageID, h.Evidence)
	}
	return nil
}
