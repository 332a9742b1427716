package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/store"
)

func cmdBench(ctx context.Context, c *cli, args []string) error {
	if len(args) > 0 && args[0] == "match" {
		return cmdBenchMatch(ctx, c, args[1:])
	}
	if len(args) > 0 && args[0] == "transcript" {
		return cmdBenchTranscript(ctx, c, args[1:])
	}
	if len(args) == 0 || args[0] != "exchange" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(c.stderr, "Usage: parley bench exchange [-n N] [--size BYTES] [--light N] [--json]")
			fmt.Fprintln(c.stderr, "       parley bench match --watchlist W.csv --eval Q.tsv [--json] | --synthetic N")
			fmt.Fprintln(c.stderr, "       parley bench transcript [-n N] [--big N] [--json]")
			return nil
		}
		return usagef("want `parley bench exchange`, `parley bench match` or `parley bench transcript`")
	}
	fs := newFlags(c, "bench exchange", "bench exchange [-n N] [--size BYTES] [--light N] [--concurrency C] [--json]")
	n := fs.Int("n", 5000, "letters to push through the full path")
	size := fs.Int("size", 1024, "letter size in bytes")
	light := fs.Int("light", 200, "letters sent one at a time to measure latency at light load")
	conc := fs.Int("concurrency", 64, "concurrent senders in the throughput phase")
	storeURL := fs.String("store", "", "run both nodes on PostgreSQL: a server URL postgres://…; databases <name>_north and <name>_south are created and dropped (default: SQLite)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *n < 1 || *size < 1 || *light < 0 || *conc < 1 {
		return usagef("-n, --size and --concurrency must be positive")
	}
	progress := c.stderr
	if *asJSON {
		progress = io.Discard
	}
	res, err := benchExchange(ctx, benchOptions{Letters: *n, Size: *size, Light: *light, Concurrency: *conc, Progress: progress, Store: *storeURL})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c.stdout, res)
	}
	fmt.Fprintf(c.stdout, "store:              %s\n", res.Store)
	fmt.Fprintf(c.stdout, "letters:            %d of %d bytes, %d concurrent senders\n", res.Letters, res.Size, *conc)
	fmt.Fprintf(c.stdout, "throughput:         %.0f letters/s (sealed, signed, stored, delivered, verified, opened, stored, receipted)\n", res.LettersPerSecond)
	fmt.Fprintf(c.stdout, "latency, light:     p50 %.2f ms, p99 %.2f ms (%d letters one at a time)\n", res.P50ms, res.P99ms, *light)
	fmt.Fprintf(c.stdout, "latency, loaded:    p50 %.1f ms, p99 %.1f ms\n", res.LoadP50ms, res.LoadP99ms)
	fmt.Fprintf(c.stdout, "crypto bound:       %.0f letters/s on one core (HPKE seal+open, 2 hybrid signs, 2 hybrid verifies)\n", res.CryptoBound)
	fmt.Fprintf(c.stdout, "cores used:         %d\n", res.CoresUsed)
	fmt.Fprintf(c.stdout, "ratio:              %.2f of the crypto bound × cores\n", res.Ratio)
	return nil
}

type benchOptions struct {
	Letters, Size, Light, Concurrency int
	Progress                          io.Writer
	Store                             string // PostgreSQL server URL, or empty for SQLite
}

type benchResult struct {
	Store            string  `json:"store"`
	Letters          int     `json:"letters"`
	Size             int     `json:"size_bytes"`
	LettersPerSecond float64 `json:"letters_per_second"`
	P50ms            float64 `json:"p50_ms"` // light load: one letter at a time
	P99ms            float64 `json:"p99_ms"`
	LoadP50ms        float64 `json:"load_p50_ms"` // during the throughput phase
	LoadP99ms        float64 `json:"load_p99_ms"`
	CryptoBound      float64 `json:"crypto_bound_per_second"`
	CoresUsed        int     `json:"cores_used"`
	Ratio            float64 `json:"ratio"`
}

// cryptoBound measures, on one goroutine, the letters per second that the
// cryptography alone allows: per letter, one HPKE seal and open with the
// letter's hybrid signature and verification, and one receipt signed and
// verified.
func cryptoBound(size int, dur time.Duration) (float64, error) {
	a, err := envelope.GenerateIdentity()
	if err != nil {
		return 0, err
	}
	b, err := envelope.GenerateIdentity()
	if err != nil {
		return 0, err
	}
	body := make([]byte, size)
	rand.Read(body)
	start := time.Now()
	var n int
	for n = 0; time.Since(start) < dur || n < 20; n++ {
		wire, env, _, err := envelope.Seal(a, b.Public(), envelope.SealParams{Kind: envelope.KindLetter, Seq: uint64(n + 1), Time: start}, body)
		if err != nil {
			return 0, err
		}
		if _, _, err := env.Open(b, a.Public()); err != nil {
			return 0, err
		}
		r := envelope.ReceiptFor(envelope.Delivered, env.Header, envelope.Hash(wire), start)
		if err := envelope.SignReceipt(b, r); err != nil {
			return 0, err
		}
		if err := r.Verify(b.Public()); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// benchExchange runs two nodes on loopback in this process and pushes
// letters through the full path.
func benchExchange(ctx context.Context, opt benchOptions) (*benchResult, error) {
	root, err := os.MkdirTemp("", "parley-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(root)
	d := &demo{c: &cli{stdout: io.Discard, stderr: io.Discard}, root: root, log: slog.New(slog.DiscardHandler)}
	defer d.stopAll()
	storeName := "sqlite"
	if opt.Store != "" {
		urls, drop, err := benchDatabases(ctx, opt.Store)
		if err != nil {
			return nil, err
		}
		defer drop()
		d.storeFor = func(name string) string { return urls[name] }
		storeName = "postgres"
	}
	fmt.Fprintf(opt.Progress, "measuring the crypto bound on one core…\n")
	bound, err := cryptoBound(opt.Size, 2*time.Second)
	if err != nil {
		return nil, err
	}
	if d.north, err = d.newNode(ctx, "north"); err != nil {
		return nil, err
	}
	if d.south, err = d.newNode(ctx, "south"); err != nil {
		return nil, err
	}
	for _, n := range []*demoNode{d.north, d.south} {
		if err := d.open(ctx, n); err != nil {
			return nil, err
		}
		n.o.cfg.RetryMin, n.o.cfg.RetryMax = 10*time.Millisecond, 100*time.Millisecond
	}
	for _, x := range [][2]*demoNode{{d.north, d.south}, {d.south, d.north}} {
		pub := x[1].o.node.Identity.Public()
		if err := x[0].o.node.Store.AddPeer(ctx, parley.Peer{Name: x[1].name, URL: x[1].o.cfg.PublicURL, Identity: pub,
			Channel: parley.ChannelID(x[0].o.node.Identity.Fingerprint(), pub.Fingerprint()), AddedAt: time.Now()}); err != nil {
			return nil, err
		}
	}
	for _, n := range []*demoNode{d.north, d.south} {
		if err := d.start(ctx, n); err != nil {
			return nil, err
		}
	}
	sender := d.north.o.node
	// Delivery may be acknowledged before Send returns the id, so start and
	// end times are recorded separately and joined per phase.
	var mu sync.Mutex
	starts := map[envelope.ID]time.Time{}
	ends := map[envelope.ID]time.Time{}
	sender.OnDelivered(func(ids []envelope.ID) {
		now := time.Now()
		mu.Lock()
		defer mu.Unlock()
		for _, id := range ids {
			ends[id] = now
		}
	})
	delivered := func() int { mu.Lock(); defer mu.Unlock(); return len(ends) }
	text := make([]byte, opt.Size)
	for i := range text {
		text[i] = 'a' + byte(i%26)
	}
	content := &parley.Content{Text: string(text)}
	send := func() error {
		t0 := time.Now()
		m, err := sender.Send(ctx, "south", content)
		if err != nil {
			return err
		}
		mu.Lock()
		starts[m.ID] = t0
		mu.Unlock()
		return nil
	}
	wait := func(want int, limit time.Duration) error {
		deadline := time.Now().Add(limit)
		for delivered() < want {
			if time.Now().After(deadline) {
				return fmt.Errorf("timed out: %d of %d letters delivered", delivered(), want)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Microsecond):
			}
		}
		return nil
	}
	// latencies joins and clears the recorded starts and ends.
	latencies := func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		var ds []time.Duration
		for id, t0 := range starts {
			if t1, ok := ends[id]; ok {
				ds = append(ds, t1.Sub(t0))
			}
		}
		clear(starts)
		return ds
	}

	// Light load: one letter at a time, each waited for.
	fmt.Fprintf(opt.Progress, "light load: %d letters one at a time…\n", opt.Light)
	for i := 0; i < opt.Light; i++ {
		if err := send(); err != nil {
			return nil, err
		}
		if err := wait(i+1, 30*time.Second); err != nil {
			return nil, err
		}
	}
	lightLat := latencies()

	fmt.Fprintf(opt.Progress, "throughput: %d letters from %d senders…\n", opt.Letters, opt.Concurrency)
	total := opt.Light + opt.Letters
	start := time.Now()
	var wg sync.WaitGroup
	errc := make(chan error, opt.Concurrency)
	per := make(chan struct{}, opt.Letters)
	for i := 0; i < opt.Letters; i++ {
		per <- struct{}{}
	}
	close(per)
	for range opt.Concurrency {
		wg.Go(func() {
			for range per {
				if err := send(); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	stopProgress := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopProgress:
				return
			case <-t.C:
				fmt.Fprintf(opt.Progress, "  %d/%d delivered\n", delivered()-opt.Light, opt.Letters)
			}
		}
	}()
	defer close(stopProgress)
	wg.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	if err := wait(total, 10*time.Minute); err != nil {
		return nil, err
	}
	elapsed := time.Since(start)
	loadLat := latencies()
	cores := runtime.GOMAXPROCS(0)
	res := &benchResult{
		Store: storeName, Letters: opt.Letters, Size: opt.Size,
		LettersPerSecond: float64(opt.Letters) / elapsed.Seconds(),
		CryptoBound:      bound, CoresUsed: cores,
	}
	res.P50ms, res.P99ms = percentileMS(lightLat, 0.50), percentileMS(lightLat, 0.99)
	res.LoadP50ms, res.LoadP99ms = percentileMS(loadLat, 0.50), percentileMS(loadLat, 0.99)
	res.Ratio = res.LettersPerSecond / (bound * float64(cores))
	return res, nil
}

func percentileMS(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(p*float64(len(s)-1) + 0.5)
	return float64(s[i]) / float64(time.Millisecond)
}

// benchDatabases creates fresh databases for north and south on the
// PostgreSQL server at base and returns their URLs and a function that drops
// them.
func benchDatabases(ctx context.Context, base string) (map[string]string, func(), error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, nil, fmt.Errorf("--store %q: want a postgres:// URL", store.Redact(base))
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return nil, nil, err
	}
	prefix := fmt.Sprintf("parley_bench_%d", time.Now().UnixNano())
	urls := map[string]string{}
	var made []string
	drop := func() {
		for _, db := range made {
			admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
		}
		admin.Close()
	}
	for _, name := range []string{"north", "south"} {
		db := prefix + "_" + name
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+db); err != nil {
			drop()
			return nil, nil, fmt.Errorf("creating database %s (the --store user needs CREATEDB): %w", db, err)
		}
		made = append(made, db)
		v := *u
		v.Path = "/" + db
		urls[name] = v.String()
	}
	return urls, drop, nil
}
