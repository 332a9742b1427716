package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/match"
)

// `parley bench match` evaluates the name matcher (internal/match) on a
// watchlist and a labelled query set, or measures it on a synthetic list.
// The file formats and the metrics are specified in docs/matching.md.

const evalHeader = "query\tquery_dob\texpected_id"

func cmdBenchMatch(ctx context.Context, c *cli, args []string) error {
	const synopsis = "bench match --watchlist W.csv --eval Q.tsv [--threshold T] [--json] [--baseline] [--errors N]\n" +
		"       parley bench match --synthetic N [--queries Q] [--scan-sample S] [--threshold T] [--json]"
	fs := newFlags(c, "bench match", synopsis)
	watchlist := fs.String("watchlist", "", "watchlist CSV: id,name,aliases,dob,nationality")
	eval := fs.String("eval", "", "queries TSV: query, query_dob, expected_id (empty: should match nobody)")
	threshold := fs.Float64("threshold", match.DefaultThreshold, "operating threshold: a top hit at or above it is a match")
	asJSON := fs.Bool("json", false, "print one JSON object")
	baseline := fs.Bool("baseline", false, "also evaluate a Jaro–Winkler scan of the list (slow on large lists)")
	showErrors := fs.Int("errors", 0, "print up to N wrong answers with their evidence")
	synthetic := fs.Int("synthetic", 0, "build a synthetic list of N names instead of reading one (speed and memory)")
	nq := fs.Int("queries", 10000, "with --synthetic: queries to run")
	scanSample := fs.Int("scan-sample", 20, "with --synthetic: queries for the Jaro–Winkler scan comparison (0: none)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *threshold < 0 || *threshold > 1 {
		return usagef("--threshold must be in [0,1]")
	}
	progress := c.stderr
	if *asJSON {
		progress = io.Discard
	}
	var res *matchEval
	switch {
	case *synthetic > 0:
		if *watchlist != "" || *eval != "" {
			return usagef("--synthetic replaces --watchlist and --eval")
		}
		if *nq < 1 || *scanSample < 0 {
			return usagef("--queries must be positive and --scan-sample not negative")
		}
		res, err = benchMatchSynthetic(ctx, *synthetic, *nq, *scanSample, *threshold, *showErrors, c.stderr, progress)
	case *watchlist == "" || *eval == "":
		return usagef("want --watchlist W.csv and --eval Q.tsv, or --synthetic N")
	default:
		res, err = benchMatchFiles(ctx, *watchlist, *eval, *threshold, *baseline, *showErrors, c.stderr, progress)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c.stdout, res)
	}
	res.print(c.stdout)
	return nil
}

// matchEval is the result; the first seven fields are the fixed interface.
type matchEval struct {
	Precision          float64 `json:"precision"`
	Recall             float64 `json:"recall"`
	F1                 float64 `json:"f1"`
	RecallAt10         float64 `json:"recall_at_10"`
	QueriesPerSecond   float64 `json:"queries_per_second"`
	IndexBuildSeconds  float64 `json:"index_build_seconds"`
	MemoryBytes        int64   `json:"memory_bytes"`
	Threshold          float64 `json:"threshold"`
	Entries            int     `json:"entries"`
	SkippedRows        int     `json:"skipped_rows"`
	Queries            int     `json:"queries"`
	SkippedQueries     int     `json:"skipped_queries"`
	Positives          int     `json:"positives"`
	TruePositives      int     `json:"true_positives"`
	FalsePositives     int     `json:"false_positives"`
	FalseNegatives     int     `json:"false_negatives"`
	GOMAXPROCS         int     `json:"gomaxprocs"`
	Synthetic          bool    `json:"synthetic,omitempty"`
	Baseline           *scores `json:"jaro_winkler_scan,omitempty"`
	ScanQueriesPerSec  float64 `json:"scan_queries_per_second,omitempty"`
	SpeedupOverScan    float64 `json:"speedup_over_scan,omitempty"`
	EstimatedIndexSize int     `json:"estimated_index_bytes"`
}

// scores are the accuracy figures of the baseline, at its best threshold.
type scores struct {
	Threshold        float64 `json:"threshold"`
	Precision        float64 `json:"precision"`
	Recall           float64 `json:"recall"`
	F1               float64 `json:"f1"`
	RecallAt10       float64 `json:"recall_at_10"`
	QueriesPerSecond float64 `json:"queries_per_second"`
}

type evalQuery struct {
	line int
	q    match.Query
	want string
}

// readEvalTSV reads a query file. Malformed rows are reported and skipped.
func readEvalTSV(r io.Reader) ([]evalQuery, []*match.RowError, error) {
	lr := match.NewLineReader(r)
	h, err := lr.Header()
	if err != nil {
		return nil, nil, err
	}
	if cols := strings.Split(h, "\t"); len(cols) != 3 || !strings.EqualFold(strings.TrimSpace(cols[0]), "query") ||
		!strings.EqualFold(strings.TrimSpace(cols[1]), "query_dob") || !strings.EqualFold(strings.TrimSpace(cols[2]), "expected_id") {
		return nil, nil, fmt.Errorf("line %d: %w: want %q (tab-separated), got %q", lr.Line(), match.ErrHeader, evalHeader, h)
	}
	var qs []evalQuery
	var bad []*match.RowError
	for {
		line, err := lr.Next()
		if err == io.EOF {
			return qs, bad, nil
		}
		var re *match.RowError
		if errors.As(err, &re) {
			bad = append(bad, re)
			continue
		}
		if err != nil {
			return qs, bad, err
		}
		f := strings.Split(line, "\t")
		rowErr := func(format string, args ...any) {
			bad = append(bad, &match.RowError{Line: lr.Line(), Err: fmt.Errorf(format, args...)})
		}
		if len(f) == 2 {
			f = append(f, "") // an empty expected_id whose tab an editor removed
		}
		switch {
		case len(f) != 3:
			rowErr("%d fields, want 3 (query, query_dob, expected_id)", len(f))
			continue
		case strings.TrimSpace(f[0]) == "":
			rowErr("empty query")
			continue
		}
		dob := strings.TrimSpace(f[1])
		if _, err := match.ParseDate(dob); err != nil {
			rowErr("query_dob: %v", err)
			continue
		}
		qs = append(qs, evalQuery{line: lr.Line(), q: match.Query{Name: f[0], DOB: dob}, want: strings.TrimSpace(f[2])})
	}
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// buildIndex indexes entries in batches, reporting progress on long builds.
func buildIndex(ctx context.Context, es []match.Entry, progress io.Writer) (*match.Index, error) {
	ix := match.NewIndex()
	const batch = 100_000
	for i := 0; i < len(es); i += batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ix.AddAll(es[i:min(len(es), i+batch)])
		if len(es) > batch {
			fmt.Fprintf(progress, "\rindexed %d of %d names", min(len(es), i+batch), len(es))
		}
	}
	if len(es) > batch {
		fmt.Fprintln(progress)
	}
	return ix, nil
}

func benchMatchFiles(ctx context.Context, wlPath, evalPath string, threshold float64, baseline bool, showErrors int, stderr, progress io.Writer) (*matchEval, error) {
	qf, err := os.Open(evalPath)
	if err != nil {
		return nil, err
	}
	queries, badQ, err := readEvalTSV(qf)
	qf.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", evalPath, err)
	}
	for _, e := range badQ {
		fmt.Fprintf(stderr, "%s:%d: skipped: %v\n", evalPath, e.Line, e.Err)
	}

	before := heapAlloc()
	wf, err := os.Open(wlPath)
	if err != nil {
		return nil, err
	}
	entries, badW, err := match.ReadWatchlistCSV(wf)
	wf.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", wlPath, err)
	}
	for _, e := range badW {
		fmt.Fprintf(stderr, "%s:%d: skipped: %v\n", wlPath, e.Line, e.Err)
	}
	if n := len(badW) + len(badQ); n > 0 {
		fmt.Fprintf(stderr, "%d malformed rows skipped (%d in the watchlist, %d in the queries)\n", n, len(badW), len(badQ))
	}
	start := time.Now()
	ix, err := buildIndex(ctx, entries, progress)
	if err != nil {
		return nil, err
	}
	res := &matchEval{IndexBuildSeconds: time.Since(start).Seconds(), Entries: ix.Len(), SkippedRows: len(badW),
		SkippedQueries: len(badQ), Threshold: threshold, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	entries = nil
	res.MemoryBytes = int64(heapAlloc()) - int64(before)
	res.EstimatedIndexSize = ix.Stats().Bytes
	var scan *match.Scan
	if baseline {
		// Read again: the entries were dropped to measure the index alone.
		wf, err := os.Open(wlPath)
		if err != nil {
			return nil, err
		}
		entries, _, err := match.ReadWatchlistCSV(wf)
		wf.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", wlPath, err)
		}
		scan = match.NewScan(entries)
	}
	for _, q := range queries {
		if q.want != "" && !ix.Has(q.want) {
			fmt.Fprintf(stderr, "%s:%d: expected id %q is not on the watchlist; the query counts as missed\n", evalPath, q.line, q.want)
		}
	}
	labelled := make([]labelledQuery, len(queries))
	for i, q := range queries {
		labelled[i] = labelledQuery{q.q, q.want, fmt.Sprintf("%s:%d", evalPath, q.line)}
	}
	if err := evaluate(ctx, res, labelled, ix.Match, threshold, showErrors, stderr, progress); err != nil {
		return nil, err
	}
	if scan != nil {
		res.Baseline, err = evaluateBaseline(ctx, labelled, scan)
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

type labelledQuery struct {
	q     match.Query
	want  string
	where string
}

// evaluate runs the queries one after the other in this goroutine and
// fills in the accuracy and speed figures.
func evaluate(ctx context.Context, res *matchEval, qs []labelledQuery, find func(match.Query, int) []match.Hit,
	threshold float64, showErrors int, stderr, progress io.Writer) error {
	var elapsed time.Duration
	var at10 int
	for i, lq := range qs {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if len(qs) > 20_000 {
				fmt.Fprintf(progress, "\rmatched %d of %d queries", i, len(qs))
			}
		}
		start := time.Now()
		hits := find(lq.q, 10)
		elapsed += time.Since(start)
		res.Queries++
		matched := len(hits) > 0 && hits[0].Score >= threshold
		correct := matched && hits[0].ID == lq.want
		if lq.want != "" {
			res.Positives++
			for _, h := range hits {
				if h.ID == lq.want {
					at10++
					break
				}
			}
		}
		switch {
		case correct:
			res.TruePositives++
		case matched:
			res.FalsePositives++
		}
		if lq.want != "" && !correct {
			res.FalseNegatives++
		}
		if showErrors > 0 && (matched && !correct || lq.want != "" && !correct) {
			showErrors--
			fmt.Fprintf(stderr, "%s: %q want %q:", lq.where, lq.q.Name, lq.want)
			if len(hits) == 0 {
				fmt.Fprintln(stderr, " no candidate")
			}
			for k, h := range hits[:min(3, len(hits))] {
				fmt.Fprintf(stderr, "\n    %d. %s %.3f %q: %s", k+1, h.ID, h.Score, h.Name, h.Explain())
			}
			fmt.Fprintln(stderr)
		}
	}
	if len(qs) > 20_000 {
		fmt.Fprintln(progress)
	}
	res.Precision = ratio(res.TruePositives, res.TruePositives+res.FalsePositives)
	res.Recall = ratio(res.TruePositives, res.Positives)
	if res.Precision+res.Recall > 0 {
		res.F1 = 2 * res.Precision * res.Recall / (res.Precision + res.Recall)
	}
	res.RecallAt10 = ratio(at10, res.Positives)
	if elapsed > 0 {
		res.QueriesPerSecond = float64(res.Queries) / elapsed.Seconds()
	}
	return nil
}

// evaluateBaseline scores the Jaro–Winkler scan at the threshold that gives
// it its best F1 on this very set: an upper bound of what it can do.
func evaluateBaseline(ctx context.Context, qs []labelledQuery, scan *match.Scan) (*scores, error) {
	type outcome struct {
		score   float64
		correct bool // the top hit is the expected entry
		want    bool
		at10    bool
	}
	var outs []outcome
	start := time.Now()
	for i, lq := range qs {
		if i%100 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		hits := scan.Match(lq.q, 10)
		o := outcome{want: lq.want != ""}
		if len(hits) > 0 {
			o.score, o.correct = hits[0].Score, hits[0].ID == lq.want
		}
		for _, h := range hits {
			o.at10 = o.at10 || h.ID == lq.want
		}
		outs = append(outs, o)
	}
	best := &scores{QueriesPerSecond: float64(len(qs)) / time.Since(start).Seconds()}
	for t := 0.70; t <= 0.995; t += 0.005 {
		var tp, fp, pos, at10 int
		for _, o := range outs {
			if o.want {
				pos++
				if o.at10 {
					at10++
				}
			}
			if o.score >= t {
				if o.correct {
					tp++
				} else {
					fp++
				}
			}
		}
		p, r := ratio(tp, tp+fp), ratio(tp, pos)
		f1 := 0.0
		if p+r > 0 {
			f1 = 2 * p * r / (p + r)
		}
		if f1 > best.F1 {
			best.Threshold, best.Precision, best.Recall, best.F1, best.RecallAt10 = t, p, r, f1, ratio(at10, pos)
		}
	}
	return best, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func benchMatchSynthetic(ctx context.Context, n, nq, scanSample int, threshold float64, showErrors int, stderr, progress io.Writer) (*matchEval, error) {
	fmt.Fprintf(progress, "generating %d synthetic names\n", n)
	entries := match.Synthetic(n, 1)
	queries := match.SyntheticQueries(entries, nq, 2)
	var scan *match.Scan
	if scanSample > 0 {
		scan = match.NewScan(entries)
	}
	before := heapAlloc()
	fmt.Fprintf(progress, "building the index on %d cores\n", runtime.GOMAXPROCS(0))
	start := time.Now()
	ix, err := buildIndex(ctx, entries, progress)
	if err != nil {
		return nil, err
	}
	res := &matchEval{IndexBuildSeconds: time.Since(start).Seconds(), Entries: ix.Len(), Threshold: threshold,
		GOMAXPROCS: runtime.GOMAXPROCS(0), Synthetic: true}
	// The entries are shared with the scan; their strings are counted by
	// measuring before the build with them alive, so the figure is the
	// index's own structures (it also holds the name strings).
	res.MemoryBytes = int64(heapAlloc()) - int64(before)
	res.EstimatedIndexSize = ix.Stats().Bytes
	fmt.Fprintf(progress, "index built in %.1f s; matching %d queries in one goroutine\n", res.IndexBuildSeconds, nq)
	labelled := make([]labelledQuery, len(queries))
	for i, q := range queries {
		labelled[i] = labelledQuery{q.Query, q.ExpectedID, fmt.Sprintf("synthetic query %d", i+1)}
	}
	if err := evaluate(ctx, res, labelled, ix.Match, threshold, showErrors, stderr, progress); err != nil {
		return nil, err
	}
	if scan != nil {
		fmt.Fprintf(progress, "Jaro–Winkler scan of the list for %d queries\n", scanSample)
		start := time.Now()
		for _, q := range queries[:min(scanSample, len(queries))] {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			scan.Match(q.Query, 10)
		}
		res.ScanQueriesPerSec = float64(min(scanSample, len(queries))) / time.Since(start).Seconds()
		res.SpeedupOverScan = res.QueriesPerSecond / res.ScanQueriesPerSec
	}
	runtime.KeepAlive(entries)
	return res, nil
}

func (r *matchEval) print(w io.Writer) {
	list := "watchlist"
	if r.Synthetic {
		list = "synthetic list"
	}
	fmt.Fprintf(w, "%-20s %d entries", list+":", r.Entries)
	if r.SkippedRows > 0 {
		fmt.Fprintf(w, " (%d malformed rows skipped)", r.SkippedRows)
	}
	fmt.Fprintf(w, "; index built in %.2f s", r.IndexBuildSeconds)
	if r.MemoryBytes > 0 {
		fmt.Fprintf(w, ", %.1f MiB of heap", float64(r.MemoryBytes)/(1<<20))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-20s %d (%d should match an entry, %d nobody)", "queries:", r.Queries, r.Positives, r.Queries-r.Positives)
	if r.SkippedQueries > 0 {
		fmt.Fprintf(w, "; %d malformed rows skipped", r.SkippedQueries)
	}
	fmt.Fprintln(w)
	if r.Synthetic {
		fmt.Fprintln(w, "(accuracy on synthetic variants made by the matcher's own transliteration is not evidence; speed and memory are)")
	}
	fmt.Fprintf(w, "%-20s %.2f\n", "threshold:", r.Threshold)
	fmt.Fprintf(w, "%-20s %.4f (%d right matches, %d wrong)\n", "precision:", r.Precision, r.TruePositives, r.FalsePositives)
	fmt.Fprintf(w, "%-20s %.4f (%d of %d missed)\n", "recall:", r.Recall, r.FalseNegatives, r.Positives)
	fmt.Fprintf(w, "%-20s %.4f\n", "F1:", r.F1)
	fmt.Fprintf(w, "%-20s %.4f\n", "recall@10:", r.RecallAt10)
	fmt.Fprintf(w, "%-20s %.0f (one goroutine, GOMAXPROCS=%d)\n", "queries/s:", r.QueriesPerSecond, r.GOMAXPROCS)
	if r.ScanQueriesPerSec > 0 {
		fmt.Fprintf(w, "%-20s %.2f queries/s; the index is %.0f× faster\n", "Jaro–Winkler scan:", r.ScanQueriesPerSec, r.SpeedupOverScan)
	}
	if b := r.Baseline; b != nil {
		fmt.Fprintf(w, "%-20s precision %.4f, recall %.4f, F1 %.4f, recall@10 %.4f at its best threshold %.3f; %.0f queries/s\n",
			"Jaro–Winkler scan:", b.Precision, b.Recall, b.F1, b.RecallAt10, b.Threshold, b.QueriesPerSecond)
	}
}
