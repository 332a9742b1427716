//go:build unix

package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
)

// crashProc is a `parley serve` child process that the test kills with
// SIGKILL and starts again. Every run appends its output to one log file.
type crashProc struct {
	name, dir, addr string
	bin, logPath    string
	env             []string

	cmd           *exec.Cmd
	done          chan error // Wait's result, sent once
	starts, kills int
	busyKills     int // kills while north's outbox was not empty
}

func (p *crashProc) start() error {
	f, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	p.starts++
	fmt.Fprintf(f, "=== test: start %d of %s at %s\n", p.starts, p.name, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(p.bin, "serve", "--dir", p.dir)
	cmd.Env, cmd.Stdout, cmd.Stderr = p.env, f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return err
	}
	done := make(chan error, 1)
	go func() {
		done <- cmd.Wait()
		f.Close()
	}()
	p.cmd, p.done = cmd, done
	return nil
}

// exitedOnItsOwn reports, as an error, a process that ended without being
// told to; it returns nil while the process runs.
func (p *crashProc) exitedOnItsOwn() error {
	if p.cmd == nil {
		return nil
	}
	select {
	case err := <-p.done:
		p.cmd = nil
		return fmt.Errorf("%s exited on its own: %v", p.name, err)
	default:
		return nil
	}
}

// kill sends SIGKILL and waits for the process to die. It returns an error
// if the process had already ended some other way.
func (p *crashProc) kill() error {
	if p.cmd == nil {
		return nil
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	err := <-p.done
	p.cmd = nil
	p.kills++
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return nil
		}
	}
	return fmt.Errorf("%s had exited before it was killed: %v", p.name, err)
}

// stop sends SIGTERM and expects a clean exit within the limit.
func (p *crashProc) stop(limit time.Duration) error {
	if p.cmd == nil {
		return nil
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.cmd = nil
		if err != nil {
			return fmt.Errorf("%s did not exit cleanly on SIGTERM: %v", p.name, err)
		}
		return nil
	case <-time.After(limit):
		p.kill()
		return fmt.Errorf("%s did not stop within %v of SIGTERM", p.name, limit)
	}
}

// TestCrashSafety checks guarantee 4 against real processes: while north
// queues 2,000 letters to south, both `parley serve` processes are killed
// with SIGKILL at random moments and restarted. In the end south holds every
// letter exactly once, applied in sequence order, and north holds a valid
// delivered receipt for each and an empty outbox.
//
// The kill schedule comes from a seed that is logged; set
// PARLEYTEST_CRASH_SEED to replay it (timing still varies).
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two nodes under SIGKILL; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the parley binary")
	}
	const (
		letters  = 2000
		senders  = 4
		minKills = 5 // of each process
	)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("PARLEYTEST_CRASH_SEED"); s != "" {
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("PARLEYTEST_CRASH_SEED: %v", err)
		}
	}
	t.Logf("seed %d (PARLEYTEST_CRASH_SEED=%d replays the kill schedule)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	ctx := t.Context()
	began := time.Now()

	root := t.TempDir()
	bin := filepath.Join(root, "parley")
	if out, err := exec.CommandContext(ctx, goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built %s in %v", bin, time.Since(began).Round(time.Millisecond))

	env := childEnv("PARLEY_RETRY_MIN=20ms", "PARLEY_RETRY_MAX=300ms", "PARLEY_POLL_INTERVAL=50ms", "PARLEY_HTTP_TIMEOUT=10s")
	parleyCmd := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, bin, args...)
		var stdout, stderr bytes.Buffer
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("parley %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return stdout.String()
	}
	north := &crashProc{name: "north", dir: filepath.Join(root, "north"), addr: e2eFreeAddr(t), bin: bin, env: env, logPath: filepath.Join(root, "north.log")}
	south := &crashProc{name: "south", dir: filepath.Join(root, "south"), addr: e2eFreeAddr(t), bin: bin, env: env, logPath: filepath.Join(root, "south.log")}
	procs := []*crashProc{north, south}
	t.Cleanup(func() {
		for _, p := range procs {
			p.kill()
		}
		if t.Failed() {
			for _, p := range procs {
				t.Logf("last lines of %s (%d starts, %d kills):\n%s", p.logPath, p.starts, p.kills, childTail(p.logPath, 60))
			}
		}
	})
	for _, p := range procs {
		parleyCmd("init", "--dir", p.dir, "--name", p.name, "--listen", p.addr)
		parleyCmd("identity", "export", "--dir", p.dir, "-o", filepath.Join(root, p.name+".identity"))
	}
	var sns []string
	for _, x := range [][2]*crashProc{{north, south}, {south, north}} {
		out := parleyCmd("peer", "add", filepath.Join(root, x[1].name+".identity"), "--dir", x[0].dir)
		m := e2eSafetyNumber.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("peer add printed no safety number:\n%s", out)
		}
		sns = append(sns, m[1])
	}
	if sns[0] != sns[1] {
		t.Fatalf("safety numbers differ: %q and %q", sns[0], sns[1])
	}

	for _, p := range procs {
		if err := p.start(); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range procs {
		e2eWaitHealthy(t, p.addr, 30*time.Second)
	}

	// north's data directory, opened by this process while north's serve
	// runs: SQLite in WAL mode lets both write, and the serve process finds
	// the letters by polling its outbox.
	no, err := openNode(ctx, north.dir, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer no.Close()
	southAtNorth, err := no.node.Store.PeerByName(ctx, "south")
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	sent := map[envelope.ID]string{}
	var queued atomic.Int64
	sendDone := make(chan struct{})
	go func() {
		defer close(sendDone)
		var wg sync.WaitGroup
		for s := range senders {
			r := rand.New(rand.NewPCG(seed, uint64(s)+1))
			wg.Go(func() {
				// Bursts of 10–70 letters with pauses of 150–600ms spread
				// the queueing over several seconds of kills and keep
				// deliveries in flight when they strike.
				for i := s; i < letters; {
					for burst := 10 + r.IntN(61); burst > 0 && i < letters; burst-- {
						text := fmt.Sprintf("north to south, letter %04d", i)
						m, err := no.node.Send(ctx, "south", &parley.Content{Text: text})
						if err != nil {
							t.Errorf("queueing letter %d: %v", i, err)
							return
						}
						mu.Lock()
						sent[m.ID] = text
						mu.Unlock()
						queued.Add(1)
						i += senders
					}
					time.Sleep(time.Duration(150+r.IntN(451)) * time.Millisecond)
				}
			})
		}
		wg.Wait()
	}()

	queueDepth := func() (int, error) {
		sts, err := no.node.Store.Status(ctx)
		if err != nil {
			return 0, err
		}
		if len(sts) != 1 {
			return 0, fmt.Errorf("north has %d peers, want 1", len(sts))
		}
		return sts[0].QueueDepth, nil
	}
	allDelivered := func() (bool, error) {
		if queued.Load() < letters {
			return false, nil
		}
		d, err := queueDepth()
		return d == 0, err
	}
	sleep := func(d time.Duration) {
		select {
		case <-ctx.Done():
		case <-time.After(d):
		}
	}

	// Chaos: kill one process (sometimes both) with SIGKILL after a random
	// 100–800ms, restart it after a short pause, until every letter is
	// delivered and each process was killed at least minKills times, or for
	// at most a minute. The guarantee is about what survives the kills, not
	// about progress while they go on: a batch (up to batch_max envelopes,
	// all or nothing) can take longer than the gap between two kills, so the
	// cap keeps the test's running time bounded.
	chaosUntil := time.Now().Add(time.Minute)
	nextReport := time.Now().Add(10 * time.Second)
	for ctx.Err() == nil {
		done, err := allDelivered()
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(nextReport) {
			nextReport = nextReport.Add(10 * time.Second)
			if d, err := queueDepth(); err == nil {
				t.Logf("after %v: %d letters queued, %d waiting; kills: north %d, south %d",
					time.Since(began).Round(time.Second), queued.Load(), d, north.kills, south.kills)
			}
		}
		if done && north.kills >= minKills && south.kills >= minKills {
			break
		}
		if time.Now().After(chaosUntil) && north.kills >= minKills && south.kills >= minKills {
			d, err := queueDepth()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("chaos stopped at its time limit with %d of %d letters queued, %d of them delivered", queued.Load(), letters, queued.Load()-int64(d))
			break
		}
		sleep(time.Duration(100+rng.IntN(701)) * time.Millisecond)
		var victims []*crashProc
		switch x := rng.IntN(100); {
		case x < 15:
			victims = procs
		case x < 57:
			victims = []*crashProc{north}
		default:
			victims = []*crashProc{south}
		}
		if d, err := queueDepth(); err == nil && d > 0 {
			for _, p := range victims {
				p.busyKills++
			}
		}
		for _, p := range procs {
			if err := p.exitedOnItsOwn(); err != nil {
				t.Errorf("%v (see %s)", err, p.logPath)
				if err := p.start(); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, p := range victims {
			if err := p.kill(); err != nil {
				t.Error(err)
			}
		}
		sleep(time.Duration(20+rng.IntN(281)) * time.Millisecond)
		for _, p := range victims {
			if err := p.start(); err != nil {
				t.Fatal(err)
			}
		}
	}
	chaos := time.Since(began)
	<-sendDone
	if t.Failed() {
		t.FailNow()
	}

	// Calm: both run undisturbed until the outbox is empty.
	for _, p := range procs {
		if err := p.exitedOnItsOwn(); err != nil {
			t.Errorf("%v (see %s)", err, p.logPath)
			if err := p.start(); err != nil {
				t.Fatal(err)
			}
		}
	}
	e2eEventually(t, max(150*time.Second-time.Since(began), 30*time.Second), "north's outbox to drain", allDelivered)
	for _, p := range procs {
		// A process that has only just been restarted may not have installed
		// its signal handler yet, and SIGTERM would kill it outright.
		e2eWaitHealthy(t, p.addr, 30*time.Second)
		if err := p.stop(30 * time.Second); err != nil {
			t.Error(err)
		}
	}
	t.Logf("%d letters delivered after %v (chaos ended at %v); SIGKILLs: north %d (%d with letters waiting), south %d (%d with letters waiting)",
		letters, time.Since(began).Round(time.Millisecond), chaos.Round(time.Millisecond), north.kills, north.busyKills, south.kills, south.busyKills)
	for _, x := range []struct {
		p, line string
	}{{south.logPath, "duplicate envelope acknowledged again"}, {north.logPath, "delivery failed; will retry"}} {
		b, _ := os.ReadFile(x.p)
		t.Logf("%s: %d lines %q", filepath.Base(x.p), bytes.Count(b, []byte(x.line)), x.line)
	}

	so, err := openNode(ctx, south.dir, nil, nil)
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
}
