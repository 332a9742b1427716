package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/store"
	"github.com/parley-dev/parley/internal/transcript"
)

type benchTranscriptJSON struct {
	Entries            int     `json:"entries"`
	AppendPerSecond    float64 `json:"append_per_second"`
	AppendMicros       float64 `json:"append_us_per_entry"`
	BytesPerEntry      float64 `json:"bytes_per_entry"`
	BytesPerMessage    float64 `json:"bytes_per_message"`
	SealMicros         float64 `json:"seal_us_per_message"`
	AppendShareOfSeal  float64 `json:"append_share_of_seal"`
	CheckpointMs       float64 `json:"checkpoint_sign_ms"`
	CosignMs           float64 `json:"cosign_ms"`
	BigLogEntries      int64   `json:"big_log_entries"`
	BigLogBuildSeconds float64 `json:"big_log_build_seconds"`
	ProofVerifyMs      float64 `json:"proof_verify_ms"`
}

// cmdBenchTranscript measures the transcript: the cost of appending to a
// log in the store (against the crypto cost of a message, measured in the
// same run), storage per message, signing and cosigning a checkpoint, and
// verifying an inclusion plus a consistency proof in a large log.
func cmdBenchTranscript(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "bench transcript", "bench transcript [-n N] [--big N] [--json]")
	n := fs.Int("n", 100000, "entries appended to an SQLite log, in transactions of 256 as deliveries do")
	big := fs.Int64("big", 10_000_000, "entries of the in-memory log in which proofs are verified")
	asJSON := fs.Bool("json", false, "print one JSON object")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *n < 256 || *big < 2 {
		return usagef("-n must be at least 256 and --big at least 2")
	}
	out := benchTranscriptJSON{Entries: *n, BigLogEntries: *big}
	progress := func(format string, args ...any) {
		if !*asJSON {
			fmt.Fprintf(c.stderr, format+"\n", args...)
		}
	}

	// Appends, and storage per entry, on a real SQLite store.
	dir, err := os.MkdirTemp("", "parley-bench-transcript-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, "bench.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	self, err := envelope.GenerateIdentity()
	if err != nil {
		return err
	}
	peer, err := envelope.GenerateIdentity()
	if err != nil {
		return err
	}
	p := parley.Peer{Name: "peer", URL: "http://127.0.0.1:1", Identity: peer.Public(), Channel: parley.ChannelID(self.Fingerprint(), peer.Fingerprint()), AddedAt: time.Now()}
	if err := st.AddPeer(ctx, p); err != nil {
		return err
	}
	size0, err := st.Size(ctx)
	if err != nil {
		return err
	}
	progress("appending %d entries to an SQLite log…", *n)
	entries := make([][32]byte, 256)
	start := time.Now()
	for done := 0; done < *n; done += len(entries) {
		batch := entries[:min(len(entries), *n-done)]
		for i := range batch {
			var b [8]byte
			binary.BigEndian.PutUint64(b[:], uint64(done+i))
			batch[i] = sha256.Sum256(b[:])
		}
		if err := st.AppendEntries(ctx, p.Fingerprint(), parley.LogOut, batch); err != nil {
			return err
		}
	}
	el := time.Since(start)
	out.AppendPerSecond = float64(*n) / el.Seconds()
	out.AppendMicros = float64(el.Microseconds()) / float64(*n)
	size1, err := st.Size(ctx)
	if err != nil {
		return err
	}
	out.BytesPerEntry = float64(size1-size0) / float64(*n)
	// Each node holds two entries per message: the envelope (in the
	// sender's log or the receiver's mirror) and its receipt.
	out.BytesPerMessage = 2 * out.BytesPerEntry

	// The bound: sealing one 1 KiB letter, measured now.
	body := make([]byte, 1024)
	const seals = 20
	start = time.Now()
	for i := range seals {
		if _, _, _, err := envelope.Seal(self, peer.Public(), envelope.SealParams{Kind: envelope.KindLetter, Channel: p.Channel, Seq: uint64(i + 1), Time: time.Now()}, body); err != nil {
			return err
		}
	}
	out.SealMicros = float64(time.Since(start).Microseconds()) / seals
	out.AppendShareOfSeal = 2 * out.AppendMicros / out.SealMicros

	// Checkpoint signing and cosigning with the hybrid identities.
	ours, theirs := parley.TranscriptKey(self.Public(), self), parley.TranscriptKey(peer.Public(), peer)
	root, err := tlog.TreeHash(int64(*n), st.LogHashes(ctx, p.Fingerprint(), parley.LogOut))
	if err != nil {
		return err
	}
	cp := transcript.Checkpoint{Origin: parley.Origin(p.Channel, self.Fingerprint(), parley.LogOut), Size: int64(*n), Root: root}
	const signs = 10
	var note []byte
	start = time.Now()
	for range signs {
		if note, err = transcript.Sign(cp, ours); err != nil {
			return err
		}
	}
	out.CheckpointMs = float64(time.Since(start).Microseconds()) / signs / 1000
	start = time.Now()
	for range signs {
		if _, err = transcript.Cosign(note, ours, theirs, time.Now()); err != nil {
			return err
		}
	}
	out.CosignMs = float64(time.Since(start).Microseconds()) / signs / 1000

	// Proofs in a big log, built in memory here (not shipped).
	progress("building a %d-entry log in memory (a few seconds, about %d MB)…", *big, *big*2*32/1_000_000+1)
	var ml transcript.MemoryLog
	start = time.Now()
	var e [32]byte
	for i := int64(0); i < *big; i++ {
		binary.BigEndian.PutUint64(e[:], uint64(i))
		if err := ml.Append(e); err != nil {
			return err
		}
	}
	out.BigLogBuildSeconds = time.Since(start).Seconds()
	rng := rand.New(rand.NewPCG(1, 2))
	const proofs = 1000
	var verify time.Duration
	for range proofs {
		size := *big - rng.Int64N(*big/2+1)
		old := 1 + rng.Int64N(size)
		idx := rng.Int64N(old)
		ip, err := ml.Inclusion(idx, size)
		if err != nil {
			return err
		}
		tp, err := ml.Consistency(old, size)
		if err != nil {
			return err
		}
		rootNew, _ := ml.Root(size)
		rootOld, _ := ml.Root(old)
		binary.BigEndian.PutUint64(e[:], uint64(idx))
		t0 := time.Now()
		if err := transcript.VerifyInclusion(e, ip, rootNew); err != nil {
			return err
		}
		if err := transcript.VerifyConsistency(old, rootOld, size, rootNew, tp); err != nil {
			return err
		}
		verify += time.Since(t0)
	}
	out.ProofVerifyMs = float64(verify.Microseconds()) / proofs / 1000
	if *asJSON {
		return printJSON(c.stdout, out)
	}
	fmt.Fprintf(c.stdout, "append to an SQLite log: %.0f entries/s (%.1f µs each, in transactions of 256)\n", out.AppendPerSecond, out.AppendMicros)
	fmt.Fprintf(c.stdout, "  that is %.1f%% of sealing a 1 KiB letter (%.0f µs, measured now) for a message's two entries\n", 100*out.AppendShareOfSeal, out.SealMicros)
	fmt.Fprintf(c.stdout, "storage: %.0f bytes per log entry, %.0f bytes per message per node\n", out.BytesPerEntry, out.BytesPerMessage)
	fmt.Fprintf(c.stdout, "checkpoint: sign %.2f ms, cosign (verify + sign) %.2f ms\n", out.CheckpointMs, out.CosignMs)
	fmt.Fprintf(c.stdout, "proofs in a %d-entry log (built in %.1fs): inclusion + consistency verified in %.4f ms\n", out.BigLogEntries, out.BigLogBuildSeconds, out.ProofVerifyMs)
	return nil
}
