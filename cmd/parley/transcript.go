package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/transcript"
)

// cmdProof writes the proof bundle of one message.
func cmdProof(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "proof", "proof --message ID [--with-receipts] [-o FILE] [--dir DIR]")
	dir := dirFlag(fs)
	id := fs.String("message", "", "the message to prove (required)")
	withReceipts := fs.Bool("with-receipts", false, "add the delivered (or refused) receipt and, if it was read, the read receipt")
	out := fs.String("o", "", "write the bundle to FILE (mode 0600; default standard output)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *id == "" {
		return usagef("--message ID is required")
	}
	mid, err := parseMessageID(*id)
	if err != nil {
		return err
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	b, err := o.node.MakeProof(ctx, mid, *withReceipts)
	if errors.Is(err, parley.ErrNotFound) {
		return fmt.Errorf("no message %s on this node (see `parley inbox` and `parley inbox --sent`)", mid)
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := c.stdout.Write(b)
		return err
	}
	if err := os.WriteFile(*out, b, 0o600); err != nil {
		return err
	}
	what := "that message (its text, attachments and records)"
	if *withReceipts {
		what += ", its receipts and the responses linked to it"
	}
	fmt.Fprintf(c.stderr, "Wrote the proof of message %s to %s; it discloses %s, and no other message or key. Check it with `parley verify %s`.\n", mid, *out, what, *out)
	return nil
}

// EvidenceFormat names an exported evidence file.
const EvidenceFormat = "parley-evidence-v1"

// evidenceFile is evidence of a peer's misbehaviour, exported with the
// identity that signed it so that anyone can check it.
type evidenceFile struct {
	Format string               `json:"format"`
	Kind   string               `json:"kind"`
	Detail string               `json:"detail"`
	Signer parley.ProofIdentity `json:"signer"`
	Data   []byte               `json:"data"` // transcript.EncodeEquivocation, or the refused note
}

// cmdVerify checks a proof bundle or an evidence file offline, or audits a
// data directory.
func cmdVerify(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "verify", "verify FILE | verify --store DIR [--recent N] [--json]")
	storeDir := fs.String("store", "", "audit the transcripts of this data directory instead of checking a file")
	recent := fs.Int64("recent", 0, "with --store: recompute only the last N entries of each log (0: everything)")
	asJSON := fs.Bool("json", false, "with --store: print the report as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *storeDir != "" {
		if len(pos) > 0 {
			return usagef("give a FILE or --store DIR, not both")
		}
		return auditStore(ctx, c, *storeDir, *recent, *asJSON)
	}
	if len(pos) != 1 {
		return usagef("want one FILE (a proof bundle from `parley proof` or evidence from `parley evidence export`), or --store DIR")
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, parley.MaxProofBytes+1))
	if err != nil {
		return err
	}
	if bytes.Contains(b[:min(len(b), 200)], []byte(`"format": "`+EvidenceFormat+`"`)) || bytes.Contains(b[:min(len(b), 200)], []byte(`"format":"`+EvidenceFormat+`"`)) {
		return verifyEvidence(c, b)
	}
	acc, err := parley.VerifyProof(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s does NOT verify: %w", pos[0], err)
	}
	fmt.Fprint(c.stdout, acc.String())
	return nil
}

func verifyEvidence(c *cli, b []byte) error {
	var ev evidenceFile
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&ev); err != nil {
		return fmt.Errorf("not an evidence file: %w", err)
	}
	pub, err := envelope.NewPublicIdentity(ev.Signer.SigningKey, ev.Signer.HPKEKey)
	if err != nil || pub.Fingerprint().String() != ev.Signer.Fingerprint {
		return errors.New("evidence does NOT verify: the signer's fingerprint does not match its keys")
	}
	if ev.Kind != "equivocation" {
		return fmt.Errorf("evidence of kind %q records a refusal (%s); only an equivocation proves misbehaviour by itself", ev.Kind, ev.Detail)
	}
	e, err := transcript.DecodeEquivocation(ev.Data)
	if err != nil {
		return fmt.Errorf("evidence does NOT verify: %w", err)
	}
	if err := transcript.CheckEquivocation(e, parley.TranscriptKey(pub, nil)); err != nil {
		return fmt.Errorf("evidence does NOT prove misbehaviour: %w", err)
	}
	a, _, _ := transcript.Open(e.A, parley.TranscriptKey(pub, nil))
	fmt.Fprintf(c.stdout, "MISBEHAVIOUR PROVEN: %s (%s) signed two different checkpoints of size %d for log %s.\nBoth signatures verify with its identity; a log that only grows cannot have two roots at one size.\n",
		ev.Signer.Name, pub.Fingerprint(), a.Size, a.Origin)
	return nil
}

type auditLogJSON struct {
	Peer        string `json:"peer"`
	Log         string `json:"log"`
	Size        int64  `json:"size"`
	Checked     int64  `json:"checked"`
	Checkpoints int    `json:"checkpoints"`
	Cosigned    int64  `json:"cosigned_size"`
}

func auditStore(ctx context.Context, c *cli, dir string, recent int64, asJSON bool) error {
	o, err := openNode(ctx, dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	start := time.Now()
	rep, err := o.node.Audit(ctx, recent)
	if err != nil {
		return err
	}
	if asJSON {
		logs := []auditLogJSON{}
		for _, l := range rep.Logs {
			logs = append(logs, auditLogJSON{l.Peer, l.Log.String(), l.Size, l.Checked, l.Checkpoints, l.Cosigned})
		}
		problems := rep.Problems
		if problems == nil {
			problems = []string{}
		}
		if err := printJSON(c.stdout, map[string]any{"ok": len(rep.Problems) == 0, "logs": logs, "problems": problems}); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PEER\tLOG\tENTRIES\tCHECKED\tCHECKPOINTS\tCOSIGNED UP TO")
		for _, l := range rep.Logs {
			if l.Size == 0 && l.Checkpoints == 0 {
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\n", l.Peer, l.Log, l.Size, l.Checked, l.Checkpoints, l.Cosigned)
		}
		tw.Flush()
		for _, p := range rep.Problems {
			fmt.Fprintf(c.stdout, "PROBLEM: %s\n", p)
		}
	}
	if len(rep.Problems) > 0 {
		return fmt.Errorf("the transcripts in %s do NOT verify: %d problem(s)", dir, len(rep.Problems))
	}
	if !asJSON {
		fmt.Fprintf(c.stdout, "Every check passed (%s).\n", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// cmdEvidence lists and exports evidence of peers' misbehaviour.
func cmdEvidence(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "export") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(c.stderr, "Usage: parley evidence list [--json]\n       parley evidence export ID -o FILE")
			return nil
		}
		return usagef("want `parley evidence list` or `parley evidence export ID -o FILE`")
	}
	sub := args[0]
	fs := newFlags(c, "evidence "+sub, "evidence list [--json] | evidence export ID -o FILE [--dir DIR]")
	dir := dirFlag(fs)
	asJSON := fs.Bool("json", false, "print the list as JSON")
	out := fs.String("o", "", "export: the file to write")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	evs, err := o.node.Store.Evidence(ctx)
	if err != nil {
		return err
	}
	names := map[envelope.Fingerprint]parley.Peer{}
	peers, err := o.node.Store.Peers(ctx)
	if err != nil {
		return err
	}
	for _, p := range peers {
		names[p.Fingerprint()] = p
	}
	if sub == "list" {
		type evJSON struct {
			ID     int64     `json:"id"`
			Peer   string    `json:"peer"`
			Log    string    `json:"log"`
			Kind   string    `json:"kind"`
			Detail string    `json:"detail"`
			At     time.Time `json:"at"`
		}
		list := []evJSON{}
		for _, e := range evs {
			list = append(list, evJSON{e.ID, names[e.Peer].Name, e.Log.String(), e.Kind, e.Detail, e.At})
		}
		if *asJSON {
			return printJSON(c.stdout, map[string]any{"evidence": list})
		}
		if len(list) == 0 {
			fmt.Fprintln(c.stdout, "No evidence: no peer has misbehaved with its transcripts.")
			return nil
		}
		for _, e := range list {
			fmt.Fprintf(c.stdout, "%d  %s  %s  %s  %s: %s\n", e.ID, e.At.Local().Format("2006-01-02 15:04:05"), e.Peer, e.Log, strings.ToUpper(e.Kind), e.Detail)
		}
		return nil
	}
	if len(pos) != 1 || *out == "" {
		return usagef("want `parley evidence export ID -o FILE`")
	}
	for _, e := range evs {
		if fmt.Sprint(e.ID) != pos[0] {
			continue
		}
		p := names[e.Peer]
		ef := evidenceFile{Format: EvidenceFormat, Kind: e.Kind, Detail: e.Detail,
			Signer: parley.ProofIdentity{Name: p.Name, Fingerprint: p.Fingerprint().String(), SigningKey: p.Identity.SigningKey(), HPKEKey: p.Identity.HPKEKey()}, Data: e.Data}
		b, err := json.MarshalIndent(ef, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, append(b, '\n'), 0o600); err != nil {
			return err
		}
		fmt.Fprintf(c.stderr, "Wrote evidence %d (%s by %s) to %s; check it with `parley verify %s`.\n", e.ID, e.Kind, p.Name, *out, *out)
		return nil
	}
	return fmt.Errorf("no evidence %q (see `parley evidence list`)", pos[0])
}
