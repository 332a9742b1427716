package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/parleytest"
	"github.com/parley-dev/parley/internal/store"
)

// pgProc is a `parley serve` child process whose standard streams go to a
// log file, printed in part when the test fails.
type pgProc struct {
	name, addr, logPath string
	cmd                 *exec.Cmd
	done                chan error // Wait's result, sent once
}

func pgStart(t *testing.T, bin, logPath, name, addr string, env []string, args ...string) *pgProc {
	t.Helper()
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("starting %s: %v", name, err)
	}
	p := &pgProc{name: name, addr: addr, logPath: logPath, cmd: cmd, done: make(chan error, 1)}
	go func() {
		p.done <- cmd.Wait()
		f.Close()
	}()
	return p
}

// exited reports, as an error, a process that ended without being told to.
func (p *pgProc) exited() error {
	if p.cmd == nil {
		return nil
	}
	select {
	case err := <-p.done:
		p.cmd = nil
		return fmt.Errorf("%s exited on its own: %v (see %s)", p.name, err, p.logPath)
	default:
		return nil
	}
}

// kill sends SIGKILL (Process.Kill) and waits for the process to die.
func (p *pgProc) kill() {
	if p.cmd == nil {
		return
	}
	p.cmd.Process.Kill()
	<-p.done
	p.cmd = nil
}

// stop sends SIGTERM and expects a clean exit within the limit.
func (p *pgProc) stop(limit time.Duration) error {
	if p.cmd == nil {
		return nil
	}
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-p.done:
		p.cmd = nil
		if err != nil {
			return fmt.Errorf("%s did not exit cleanly when interrupted: %v", p.name, err)
		}
		return nil
	case <-time.After(limit):
		p.kill()
		return fmt.Errorf("%s did not stop within %v of being interrupted", p.name, limit)
	}
}

// pgMetric returns the value of an unlabelled counter or gauge on
// http://addr/metrics.
func pgMetric(addr, name string) (float64, error) {
	hc := &http.Client{Timeout: 5 * time.Second}
	resp, err := hc.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 4<<20))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(v, 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("http://%s/metrics has no %s", addr, name)
}

// TestPostgresActiveActive runs one node, north, as two `parley serve`
// processes on one PostgreSQL database, delivering 5,000 letters to south
// (SQLite) at once; one of the two is killed with SIGKILL midway and not
// restarted. The survivor takes over, including the batch the dead process
// had claimed once its lease (claim_lease) expires. In the end south holds
// every letter exactly once, applied in sequence order, north holds a
// delivered receipt that verifies for each, and store.Verify finds nothing
// wrong in north's database.
func TestPostgresActiveActive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three serve processes on PostgreSQL; skipped with -short")
	}
	pgURL := parleytest.NewPostgresDatabase(t) // skips, or fails under CI=true, without $PARLEY_TEST_POSTGRES
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the parley binary")
	}
	const (
		letters   = 5000
		senders   = 4
		headStart = 2500 // letters queued before north serves
		killAt    = 1500 // letters delivered when north-2 is killed
		lease     = 10 * time.Second
		deadline  = 150 * time.Second // for the whole test
	)
	ctx := t.Context()
	began := time.Now()

	root := t.TempDir()
	bin := filepath.Join(root, "parley")
	if out, err := exec.CommandContext(ctx, goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built %s in %v", bin, time.Since(began).Round(time.Millisecond))

	// A short lease, so that the dead process's batch is retried within
	// seconds; it must exceed http_timeout.
	env := childEnv("PARLEY_RETRY_MIN=20ms", "PARLEY_RETRY_MAX=500ms", "PARLEY_POLL_INTERVAL=50ms",
		"PARLEY_HTTP_TIMEOUT=5s", "PARLEY_CLAIM_LEASE="+lease.String())
	// Every command that touches north names its store through the
	// environment, as an operator would; north's parley.conf keeps the
	// default SQLite store, which must never be created.
	northEnv := slices.Concat(env, []string{"PARLEY_STORE=" + pgURL})
	parleyCmd := func(env []string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, bin, args...)
		var stdout, stderr bytes.Buffer
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("parley %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return stdout.String()
	}

	northDir, southDir := filepath.Join(root, "north"), filepath.Join(root, "south")
	north1Addr, north2Addr, southAddr := e2eFreeAddr(t), e2eFreeAddr(t), e2eFreeAddr(t)
	// Both north processes announce one public URL, as behind a load
	// balancer; north-1 answers it and survives.
	northURL := "http://" + north1Addr
	parleyCmd(northEnv, "init", "--dir", northDir, "--name", "north", "--listen", north1Addr, "--public-url", northURL)
	parleyCmd(env, "init", "--dir", southDir, "--name", "south", "--listen", southAddr)
	parleyCmd(northEnv, "identity", "export", "--dir", northDir, "-o", filepath.Join(root, "north.identity"))
	parleyCmd(env, "identity", "export", "--dir", southDir, "-o", filepath.Join(root, "south.identity"))
	var sns []string
	for _, out := range []string{
		parleyCmd(northEnv, "peer", "add", filepath.Join(root, "south.identity"), "--dir", northDir),
		parleyCmd(env, "peer", "add", filepath.Join(root, "north.identity"), "--dir", southDir),
	} {
		m := e2eSafetyNumber.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("peer add printed no safety number:\n%s", out)
		}
		sns = append(sns, m[1])
	}
	if sns[0] != sns[1] {
		t.Fatalf("safety numbers differ: %q and %q", sns[0], sns[1])
	}

	south := pgStart(t, bin, filepath.Join(root, "south.log"), "south", southAddr, env, "--dir", southDir)
	procs := []*pgProc{south}
	t.Cleanup(func() {
		for _, p := range procs {
			p.kill()
		}
		if t.Failed() {
			for _, p := range procs {
				t.Logf("last lines of %s:\n%s", p.logPath, childTail(p.logPath, 40))
			}
		}
	})
	e2eWaitHealthy(t, south.addr, 30*time.Second)

	// north's store, opened by this process; the serve processes find the
	// letters it queues by polling the outbox.
	no, err := openNode(ctx, northDir, slog.New(slog.DiscardHandler), func(c *Config) error { c.Store = pgURL; return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer no.Close()
	if no.st.Dialect() != "postgres" {
		t.Fatalf("north's store in this process is %s, want postgres", no.st.Dialect())
	}
	pg, err := sql.Open("pgx", pgURL) // to watch the outbox's leases
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	southAtNorth, err := no.node.Store.PeerByName(ctx, "south")
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	sent := map[envelope.ID]string{}
	var queued atomic.Int64
	sendDone := make(chan struct{})
	// If the test fails while letters are being queued, the senders stop
	// before north's store closes.
	sendCtx, stopSending := context.WithCancel(ctx)
	defer func() {
		stopSending()
		<-sendDone
	}()
	go func() {
		defer close(sendDone)
		var wg sync.WaitGroup
		for s := range senders {
			wg.Go(func() {
				for i := s; i < letters; i += senders {
					text := fmt.Sprintf("north to south, letter %04d", i)
					m, err := no.node.Send(sendCtx, "south", &parley.Content{Text: text})
					if err != nil {
						if sendCtx.Err() == nil {
							t.Errorf("queueing letter %d: %v", i, err)
						}
						return
					}
					mu.Lock()
					sent[m.ID] = text
					mu.Unlock()
					queued.Add(1)
				}
			})
		}
		wg.Wait()
	}()

	// Sealing in this process is slower than delivering; a head start
	// gives both north processes a backlog, so that each holds a claimed
	// batch most of the time.
	e2eEventually(t, deadline-time.Since(began), fmt.Sprintf("%d letters queued", headStart), func() (bool, error) {
		return queued.Load() >= headStart, nil
	})
	north1 := pgStart(t, bin, filepath.Join(root, "north-1.log"), "north-1", north1Addr, northEnv,
		"--dir", northDir, "--listen", north1Addr, "--public-url", northURL)
	procs = append(procs, north1)
	north2 := pgStart(t, bin, filepath.Join(root, "north-2.log"), "north-2", north2Addr, northEnv,
		"--dir", northDir, "--listen", north2Addr, "--public-url", northURL)
	procs = append(procs, north2)
	for _, p := range []*pgProc{north1, north2} {
		e2eWaitHealthy(t, p.addr, 30*time.Second)
	}

	status := func() (parley.PeerStatus, error) {
		sts, err := no.node.Store.Status(ctx)
		if err != nil {
			return parley.PeerStatus{}, err
		}
		if len(sts) != 1 {
			return parley.PeerStatus{}, fmt.Errorf("north has %d peers, want 1", len(sts))
		}
		return sts[0], nil
	}
	alive := func() error {
		var errs []error
		for _, p := range procs {
			errs = append(errs, p.exited())
		}
		return errors.Join(errs...)
	}
	// inFlight counts the batches under lease: a batch's entries share the
	// claimed_until of its claim.
	inFlight := func() (int, error) {
		var n int
		err := pg.QueryRowContext(ctx, `SELECT COUNT(DISTINCT claimed_until) FROM outbox WHERE claimed_until > $1`, time.Now().UnixMilli()).Scan(&n)
		return n, err
	}

	// Midway, once both north processes have delivered letters and while
	// both hold a batch, kill north-2.
	var delivered1, delivered2 float64
	e2eEventually(t, deadline-time.Since(began), fmt.Sprintf("%d letters delivered by both north processes", killAt), func() (bool, error) {
		if err := alive(); err != nil {
			return false, err
		}
		st, err := status()
		if err != nil || st.Sent-st.QueueDepth < killAt {
			return false, err
		}
		if delivered1, err = pgMetric(north1.addr, "parley_envelopes_delivered_total"); err != nil {
			return false, err
		}
		if delivered2, err = pgMetric(north2.addr, "parley_envelopes_delivered_total"); err != nil {
			return false, err
		}
		if delivered1 == 0 || delivered2 == 0 {
			return false, nil
		}
		n, err := inFlight()
		return n >= 2 || st.Sent-st.QueueDepth >= killAt+1000, err
	})
	north2.kill()
	killed := time.Now()
	st, err := status()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after %v: killed north-2 with %d of %d letters queued, %d delivered (north-1 %.0f, north-2 %.0f before the kill)",
		time.Since(began).Round(time.Millisecond), queued.Load(), letters, st.Sent-st.QueueDepth, delivered1, delivered2)

	// What north-2 held when it died: a batch claimed before the kill (its
	// lease ends by kill+lease; later claims end after) that stays claimed
	// once north-1 is done with its own batch of then, which it acknowledges
	// or releases within http_timeout. A batch's entries share one lease end.
	leasedBefore := func() (map[int64][]int64, error) {
		rows, err := pg.QueryContext(ctx, `SELECT claimed_until, message_id FROM outbox WHERE claimed_until > $1 AND claimed_until <= $2`,
			time.Now().UnixMilli(), killed.Add(lease).UnixMilli())
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		batches := map[int64][]int64{}
		for rows.Next() {
			var until, id int64
			if err := rows.Scan(&until, &id); err != nil {
				return nil, err
			}
			batches[until] = append(batches[until], id)
		}
		return batches, rows.Err()
	}
	var orphans []int64
	var orphansUntil int64 // the end of their lease, Unix ms
	var batches map[int64][]int64
	for wait := time.Now().Add(lease / 2); ; {
		if batches, err = leasedBefore(); err != nil {
			t.Fatal(err)
		}
		if len(batches) <= 1 || time.Now().After(wait) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	switch len(batches) {
	case 0:
		t.Logf("north-2 held no batch when it died (it was between two); the lease takeover is not exercised this time")
	case 1:
		for until, ids := range batches {
			orphans, orphansUntil = ids, until
		}
		t.Logf("north-2 died holding %d envelopes; their lease ends %v after the kill", len(orphans), time.UnixMilli(orphansUntil).Sub(killed).Round(time.Millisecond))
	default:
		t.Logf("%d batches claimed before the kill are still under lease %v after it; which one north-2 held is not known", len(batches), lease/2)
	}

	<-sendDone
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("all %d letters queued after %v", letters, time.Since(began).Round(time.Millisecond))
	e2eEventually(t, max(deadline-time.Since(began), 2*lease), "north's outbox to drain", func() (bool, error) {
		if err := errors.Join(north1.exited(), south.exited()); err != nil {
			return false, err
		}
		if len(orphans) > 0 && time.Now().UnixMilli() < orphansUntil {
			var left int
			if err := pg.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE message_id = ANY($1)`, orphans).Scan(&left); err != nil {
				return false, err
			}
			if left < len(orphans) {
				return false, fmt.Errorf("%d of the %d envelopes north-2 held left the outbox before their lease ended", len(orphans)-left, len(orphans))
			}
		}
		st, err := status()
		return err == nil && st.QueueDepth == 0, err
	})
	t.Logf("north's outbox drained %v after the kill, %v after the start", time.Since(killed).Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	// Each process counts the envelopes it saw acknowledged; one sent by
	// both would be counted twice.
	if d1, err := pgMetric(north1.addr, "parley_envelopes_delivered_total"); err != nil {
		t.Error(err)
	} else if d1+delivered2 > letters {
		t.Errorf("north-1 saw %.0f letters acknowledged and north-2 %.0f or more: more than the %d letters sent", d1, delivered2, letters)
	}
	for _, x := range []struct {
		p      *pgProc
		metric string
	}{
		{north1, "parley_envelopes_delivered_total"},
		{south, `parley_envelopes_received_total{result="held"}`},
		{south, `parley_envelopes_received_total{result="duplicate"}`},
	} {
		if v, err := pgMetric(x.p.addr, x.metric); err == nil {
			t.Logf("%s: %s %.0f", x.p.name, x.metric, v)
		}
	}
	for _, p := range []*pgProc{north1, south} {
		if err := p.stop(30 * time.Second); err != nil {
			t.Error(err)
		}
	}

	so, err := openNode(ctx, southDir, nil, func(c *Config) error { c.Store = "sqlite:parley.db"; return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer so.Close()
	northAtSouth, err := so.node.Store.PeerByName(ctx, "north")
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != letters {
		t.Fatalf("north queued %d distinct letters, want %d", len(sent), letters)
	}
	e2eCheckExchange(t, no.node, so.node, southAtNorth, northAtSouth, sent)
	e2eCheckTranscripts(t, no.node, so.node, southAtNorth, northAtSouth)

	a, err := store.Verify(ctx, no.st, no.node.Identity.Public())
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Problems) > 0 {
		t.Errorf("store.Verify on north's database: %d problem(s), first ones:\n%s", len(a.Problems), strings.Join(a.Problems[:min(len(a.Problems), 10)], "\n"))
	}
	if a.Peers != 1 || a.Messages != letters || a.Receipts != letters {
		t.Errorf("store.Verify on north's database checked %d peers, %d messages, %d receipts; want 1, %d, %d", a.Peers, a.Messages, a.Receipts, letters, letters)
	}
	if _, err := os.Stat(filepath.Join(northDir, "parley.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("north's data directory holds an SQLite parley.db (%v): a command used the default store instead of $PARLEY_STORE", err)
	}
}
