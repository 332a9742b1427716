package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/parley-dev/parley/internal/contact"
	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/federation"
	"github.com/parley-dev/parley/internal/parley"
)

func cmdDemo(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "demo", "demo [--keep] [--verbose]")
	keep := fs.Bool("keep", false, "keep the two data directories and print where they are")
	verbose := fs.Bool("verbose", false, "show the nodes' logs on stderr")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	root, err := os.MkdirTemp("", "parley-demo-")
	if err != nil {
		return err
	}
	if *keep {
		defer fmt.Fprintf(c.stdout, "\nData directories kept under %s\n", root)
	} else {
		defer os.RemoveAll(root)
	}
	logw := io.Discard
	if *verbose {
		logw = c.stderr
	}
	d := &demo{c: c, root: root, log: slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if err := d.run(ctx); err != nil {
		d.stopAll()
		return fmt.Errorf("demo failed: %w", err)
	}
	d.stopAll()
	fmt.Fprintln(c.stdout, "\nThe demo ran to the end: every letter arrived once, in order, with signed receipts; the warning was escalated, answered, and proven from the cosigned transcripts.")
	return nil
}

// demoNode is one node of the demo, running in this process.
type demoNode struct {
	name, dir, addr string
	o               *opened
	cancel          context.CancelFunc
	done            chan error
}

type demo struct {
	c            *cli
	root         string
	log          *slog.Logger
	north, south *demoNode
	step         int
	// storeFor, if set, names the store of a node (default: its SQLite file).
	storeFor func(name string) string
	clock    offsetClock // both nodes' clock, moved forward to pass deadlines
}

func (d *demo) say(format string, args ...any) {
	d.step++
	fmt.Fprintf(d.c.stdout, "\n%d. %s\n", d.step, fmt.Sprintf(format, args...))
}

func (d *demo) detail(format string, args ...any) {
	fmt.Fprintf(d.c.stdout, "   %s\n", fmt.Sprintf(format, args...))
}

func (d *demo) newNode(ctx context.Context, name string) (*demoNode, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := filepath.Join(d.root, name)
	if _, err := initNode(ctx, dir, name, addr, ""); err != nil {
		return nil, err
	}
	return &demoNode{name: name, dir: dir, addr: addr}, nil
}

func (d *demo) open(ctx context.Context, n *demoNode) error {
	o, err := openNode(ctx, n.dir, d.log.With("node", n.name), func(c *Config) error {
		c.RetryMin, c.RetryMax, c.PollInterval = 50*time.Millisecond, 500*time.Millisecond, 100*time.Millisecond
		c.CheckpointInterval = time.Second
		if d.storeFor != nil {
			c.Store = d.storeFor(n.name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	o.node.Clock = &d.clock
	n.o = o
	return nil
}

func (d *demo) start(ctx context.Context, n *demoNode) error {
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port may linger briefly after a stop
		if ln, err = net.Listen("tcp", n.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	sctx, cancel := context.WithCancel(ctx)
	n.cancel, n.done = cancel, make(chan error, 1)
	s := newServer(n.o, d.log.With("node", n.name))
	go func() { n.done <- s.Serve(sctx, ln) }()
	return nil
}

func (d *demo) stop(n *demoNode) {
	if n == nil || n.cancel == nil {
		return
	}
	n.cancel()
	<-n.done
	n.cancel = nil
}

func (d *demo) stopAll() {
	for _, n := range []*demoNode{d.north, d.south} {
		d.stop(n)
		if n != nil && n.o != nil {
			n.o.Close()
			n.o = nil
		}
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(ctx context.Context, what string, limit time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(limit)
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %v waiting for %s", limit, what)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (d *demo) receipt(ctx context.Context, n *demoNode, peer envelope.Fingerprint, id envelope.ID, t envelope.ReceiptType) (*envelope.Receipt, error) {
	rs, err := n.o.node.Store.Receipts(ctx, peer, parley.Outbound, id)
	if err != nil {
		return nil, err
	}
	return rs[t], nil
}

func (d *demo) run(ctx context.Context) error {
	var err error
	d.say("Two organisations each create a node: an identity (Ed25519 + ML-DSA-65 signing, ML-KEM-768 + X25519 encryption), keys in 0600 files, an SQLite store, and start serving.")
	if d.north, err = d.newNode(ctx, "north"); err != nil {
		return err
	}
	if d.south, err = d.newNode(ctx, "south"); err != nil {
		return err
	}
	for _, n := range []*demoNode{d.north, d.south} {
		if err := d.open(ctx, n); err != nil {
			return err
		}
		d.detail("%-5s fingerprint %s  listening on %s", n.name, n.o.node.Identity.Fingerprint().Short(), n.addr)
	}

	for _, n := range []*demoNode{d.north, d.south} {
		if err := d.start(ctx, n); err != nil {
			return err
		}
	}
	d.say("First contact. north sends south two riddles by another route; the answers become a shared secret.")
	d.detail("riddle 1: in which city did our chiefs last meet?        north's answer: Genève")
	d.detail("riddle 2: which mountain is on the memo you left behind? north's answer: Mont Blanc")
	northSecret, err := contact.NormaliseAnswers([]string{"Genève", "Mont Blanc"})
	if err != nil {
		return err
	}
	client := federation.NewClient(10 * time.Second)
	inv, err := d.north.o.node.CreateInvite(ctx, d.south.o.cfg.PublicURL, []byte(northSecret), "liaison", time.Hour)
	if err != nil {
		return err
	}
	if err := client.Invite(ctx, d.south.o.cfg.PublicURL, inv, parley.ExportIdentity(d.north.o.node.Identity, "north", d.north.o.cfg.PublicURL)); err != nil {
		return err
	}
	d.detail("north invites south (invitation %s, purpose liaison, expires in 1h)", inv.ID.String()[:8])

	d.say("south's operator answers the riddles. A wrong answer fails the handshake and reveals nothing.")
	t := federation.ContactTransport{C: client}
	southFile := parley.ExportIdentity(d.south.o.node.Identity, "south", d.south.o.cfg.PublicURL)
	wrong, _ := contact.NormaliseAnswers([]string{"Lausanne", "Mont Blanc"})
	if _, err := d.south.o.node.AcceptInvite(ctx, inv.ID, []byte(wrong), southFile, t); err == nil {
		return errors.New("a wrong secret was accepted")
	} else {
		d.detail("\"Lausanne / Mont Blanc\": %v", err)
	}
	right, _ := contact.NormaliseAnswers([]string{"geneve", "mont-blanc"})
	northAtSouth, err := d.south.o.node.AcceptInvite(ctx, inv.ID, []byte(right), southFile, t)
	if err != nil {
		return fmt.Errorf("accepting with the right answers: %w", err)
	}
	d.detail("\"geneve / mont-blanc\" (normalised like \"Genève / Mont Blanc\"): both sides proved they know the secret;")
	d.detail("south said yes (signed), and each pinned the other's long-term identity.")
	southAtNorth, err := d.north.o.node.Store.PeerByName(ctx, "south")
	if err != nil {
		return fmt.Errorf("north did not pin south: %w", err)
	}
	snN := envelope.SafetyNumber(d.north.o.node.Identity.Fingerprint(), southAtNorth.Fingerprint())
	snS := envelope.SafetyNumber(d.south.o.node.Identity.Fingerprint(), northAtSouth.Fingerprint())
	d.detail("north sees safety number %s", snN)
	d.detail("south sees safety number %s", snS)
	if snN != snS {
		return errors.New("the safety numbers differ")
	}

	d.say("north writes to south; south answers with a letter and a file attached.")
	m1, err := d.north.o.node.Send(ctx, "south", &parley.Content{Text: "We propose to reopen a channel between our services. Are you willing?"})
	if err != nil {
		return err
	}
	d.detail("north sent %s (sequence %d)", m1.ID, m1.Seq)
	m2, err := d.south.o.node.Send(ctx, "north", &parley.Content{
		Text:        "We are willing. Our terms are attached.",
		Attachments: []parley.Attachment{{Name: "terms.txt", Type: "text/plain; charset=utf-8", Data: []byte("1. Each side answers warnings within 72 hours.\n2. Everything is signed.\n")}},
	})
	if err != nil {
		return err
	}
	d.detail("south sent %s (sequence %d) with terms.txt", m2.ID, m2.Seq)

	d.say("Each letter is verified, opened and stored; the recipient returns a signed delivered receipt.")
	for _, x := range []struct {
		from, to *demoNode
		m        parley.Message
	}{{d.north, d.south, m1}, {d.south, d.north, m2}} {
		var r *envelope.Receipt
		if err := waitFor(ctx, "the delivered receipt", 20*time.Second, func() (bool, error) {
			var err error
			r, err = d.receipt(ctx, x.from, x.m.Peer, x.m.ID, envelope.Delivered)
			return r != nil, err
		}); err != nil {
			return err
		}
		d.detail("%s holds a delivered receipt for %s, signed by %s at %s", x.from.name, x.m.ID.String()[:8], x.to.name, r.Time.Format(time.RFC3339Nano))
	}

	d.say("south's analyst opens north's letter; a signed read receipt goes back.")
	got, content, err := d.south.o.node.Open(ctx, m1.ID)
	if err != nil {
		return err
	}
	d.detail("south reads (from %s, sequence %d): %q", got.PeerName, got.Seq, content.Text)
	_, c2, err := d.north.o.node.Open(ctx, m2.ID)
	if err != nil {
		return err
	}
	if len(c2.Attachments) != 1 || string(c2.Attachments[0].Data) != "1. Each side answers warnings within 72 hours.\n2. Everything is signed.\n" {
		return errors.New("the attachment did not arrive intact")
	}
	d.detail("north reads south's answer and its attachment %s (%d bytes, intact)", c2.Attachments[0].Name, len(c2.Attachments[0].Data))
	if err := waitFor(ctx, "the read receipt", 20*time.Second, func() (bool, error) {
		r, err := d.receipt(ctx, d.north, m1.Peer, m1.ID, envelope.Read)
		if r != nil {
			if verr := r.Verify(southAtNorth.Identity); verr != nil {
				return false, fmt.Errorf("read receipt does not verify: %w", verr)
			}
			d.detail("north holds a read receipt for %s, signed by south at %s (signature verified)", m1.ID.String()[:8], r.Time.Format(time.RFC3339Nano))
		}
		return r != nil, err
	}); err != nil {
		return err
	}

	d.say("south goes down. north keeps writing: the letters wait, durable, in north's outbox.")
	d.stop(d.south)
	d.south.o.Close()
	var backlog []parley.Message
	for i := 1; i <= 3; i++ {
		m, err := d.north.o.node.Send(ctx, "south", &parley.Content{Text: fmt.Sprintf("Backlog letter %d of 3, written while south was down.", i)})
		if err != nil {
			return err
		}
		backlog = append(backlog, m)
	}
	if err := waitFor(ctx, "a failed delivery attempt", 20*time.Second, func() (bool, error) {
		sts, err := d.north.o.node.Store.Status(ctx)
		return err == nil && len(sts) == 1 && sts[0].LastError != "", err
	}); err != nil {
		return err
	}
	sts, _ := d.north.o.node.Store.Status(ctx)
	d.detail("north's queue to south: %d letters; last error: %s", sts[0].QueueDepth, preview(sts[0].LastError, 90))

	d.say("south comes back; north's workers retry and the backlog arrives in order.")
	if err := d.open(ctx, d.south); err != nil {
		return err
	}
	if err := d.start(ctx, d.south); err != nil {
		return err
	}
	if err := waitFor(ctx, "the backlog", 30*time.Second, func() (bool, error) {
		sts, err := d.north.o.node.Store.Status(ctx)
		return err == nil && sts[0].QueueDepth == 0, err
	}); err != nil {
		return err
	}
	fp := northAtSouth.Fingerprint()
	in, err := d.south.o.node.Store.Messages(ctx, parley.Filter{Direction: parley.Inbound, Peer: &fp})
	if err != nil {
		return err
	}
	if len(in) != 4 {
		return fmt.Errorf("south holds %d letters from north, want 4", len(in))
	}
	for i, m := range in {
		// Sequence numbers rise; the gaps are north's read receipts,
		// which travel as envelopes on the same lane.
		if (i > 0 && m.Seq <= in[i-1].Seq) || m.State != parley.StateApplied {
			return fmt.Errorf("letter %d has sequence %d and state %s", i, m.Seq, m.State)
		}
		c, _ := parley.DecodeContent(m.Body, parley.DefaultLimits)
		d.detail("south inbox: sequence %d  %s", m.Seq, preview(c.Text, 60))
	}
	for _, m := range backlog {
		r, err := d.receipt(ctx, d.north, m.Peer, m.ID, envelope.Delivered)
		if err != nil || r == nil || r.Verify(southAtNorth.Identity) != nil {
			return fmt.Errorf("no valid delivered receipt for backlog letter %d", m.Seq)
		}
	}
	d.detail("north holds a verified delivered receipt for each of the %d backlog letters", len(backlog))
	return d.warningStory(ctx)
}
