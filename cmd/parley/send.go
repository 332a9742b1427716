package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/stix"
)

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func cmdSend(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "send", "send --to PEER [--warning | --request] (--text T | --file F | --records BUNDLE)... [--respond-within D] [--flash] [--dir DIR] [--json]")
	dir := dirFlag(fs)
	to := fs.String("to", "", "peer name (required)")
	warning := fs.Bool("warning", false, "send a warning: records that must be acknowledged and answered by a deadline")
	request := fs.Bool("request", false, "send a request for information, which expects a response by a deadline")
	within := fs.String("respond-within", "", "deadline of a warning or request, e.g. 72h, 3d (default: the channel's respond_within)")
	m := &messageFlags{}
	m.register(fs)
	flash := fs.Bool("flash", false, "flash priority: overtakes every queued letter; its read receipt is expected within flash_read_deadline")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q (quote the text and pass it with --text)", pos[0])
	}
	if *to == "" {
		return usagef("--to PEER is required")
	}
	d := parley.Draft{Kind: envelope.KindLetter, Flash: *flash}
	switch {
	case *warning && *request:
		return usagef("--warning and --request exclude each other")
	case *warning:
		d.Kind = envelope.KindWarning
	case *request:
		d.Kind = envelope.KindRequest
	}
	if *within != "" {
		if d.Kind == envelope.KindLetter {
			return usagef("--respond-within applies to --warning and --request")
		}
		if d.RespondWithin, err = parseDays(*within); err != nil {
			return usagef("--respond-within: %v", err)
		}
	}
	if m.empty() {
		return usagef("nothing to send: give --text TEXT, --file FILE or --records BUNDLE")
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	if _, err := peerByName(ctx, o.node, *to); err != nil {
		return err
	}
	if d.Content, err = m.content(c, o.cfg); err != nil {
		return err
	}
	return composeAndPrint(ctx, c, o, *to, d, *asJSON)
}

// composeAndPrint sends a draft and prints its id, or says why it was
// refused.
func composeAndPrint(ctx context.Context, c *cli, o *opened, to string, d parley.Draft, asJSON bool) error {
	msg, err := o.node.Compose(ctx, to, d)
	var r *parley.Refusal
	if errors.As(err, &r) {
		return fmt.Errorf("not sent (%s): %s", r.Reason, r.Detail)
	}
	if err != nil {
		if errors.Is(err, parley.ErrContent) {
			return usageError{err.Error()}
		}
		return err
	}
	if asJSON {
		out := map[string]any{"id": msg.ID.String(), "peer": msg.PeerName, "seq": msg.Seq, "state": msg.State, "flash": msg.Flash, "kind": msg.Kind.String()}
		if c, err := parley.DecodeContent(msg.Body, unlimited); err == nil && !c.RespondBy.IsZero() {
			out["respond_by"] = c.RespondBy
		}
		return printJSON(c.stdout, out)
	}
	fmt.Fprintln(c.stdout, msg.ID)
	return nil
}

// unlimited decodes stored content whatever today's limits.
var unlimited = parley.Limits{MaxEnvelopeBytes: 1 << 62, MaxAttachmentBytes: 1 << 62}

// messageFlags are the content flags of send, respond and withdraw.
type messageFlags struct {
	texts, files, records multiFlag
}

func (m *messageFlags) register(fs *flag.FlagSet) {
	fs.Var(&m.texts, "text", "text of the message; repeat for paragraphs; - reads standard input")
	fs.Var(&m.files, "file", "attach a file; repeatable")
	fs.Var(&m.records, "records", "a STIX 2.1 bundle FILE (see parley record); repeatable, merged; - reads standard input")
}

func (m *messageFlags) empty() bool { return len(m.texts)+len(m.files)+len(m.records) == 0 }

// content reads the texts, files and bundles named by the flags.
func (m *messageFlags) content(c *cli, cfg *Config) (parley.Content, error) {
	var content parley.Content
	var paras []string
	for _, t := range m.texts {
		if t == "-" {
			b, err := io.ReadAll(io.LimitReader(c.stdin, int64(cfg.MaxEnvelopeBytes)+1))
			if err != nil {
				return content, err
			}
			t = string(b)
		}
		paras = append(paras, t)
	}
	content.Text = strings.Join(paras, "\n\n")
	for _, f := range m.files {
		b, err := readBounded(f, int64(cfg.MaxAttachmentBytes))
		if errors.Is(err, errTooLarge) {
			return content, fmt.Errorf("attachment: %w (the limit is max_attachment_bytes = %d)", err, cfg.MaxAttachmentBytes)
		} else if err != nil {
			return content, fmt.Errorf("attachment: %w", err)
		}
		name := filepath.Base(f)
		content.Attachments = append(content.Attachments, parley.Attachment{Name: name, Type: parley.AttachmentType(name), Data: b})
	}
	var bundles [][]byte
	for _, f := range m.records {
		var b []byte
		var err error
		if f == "-" {
			b, err = io.ReadAll(io.LimitReader(c.stdin, stix.MaxBundleBytes+1))
			if err == nil && len(b) > stix.MaxBundleBytes {
				err = errTooLarge
			}
		} else {
			b, err = readBounded(f, stix.MaxBundleBytes)
		}
		if err != nil {
			return content, fmt.Errorf("records %s: %w", f, err)
		}
		if _, err := stix.Parse(b, stix.Options{RequireTLP: true}); err != nil {
			return content, fmt.Errorf("records %s: %w", f, err)
		}
		bundles = append(bundles, b)
	}
	switch len(bundles) {
	case 0:
	case 1:
		content.Records = bundles[0]
	default:
		merged, err := stix.Merge(bundles...)
		if err != nil {
			return content, fmt.Errorf("records: %w", err)
		}
		content.Records = merged
	}
	return content, nil
}

type messageJSON struct {
	ID          string           `json:"id"`
	Direction   string           `json:"direction"`
	Peer        string           `json:"peer"`
	Seq         uint64           `json:"seq"`
	Flash       bool             `json:"flash"`
	Kind        string           `json:"kind"`
	State       string           `json:"state"`
	SentAt      time.Time        `json:"sent_at"`
	StoredAt    time.Time        `json:"stored_at"`
	DeliveredAt *time.Time       `json:"delivered_at,omitempty"`
	ReadAt      *time.Time       `json:"read_at,omitempty"`
	RespondBy   *time.Time       `json:"respond_by,omitempty"`
	InReplyTo   string           `json:"in_reply_to,omitempty"`
	Withdraws   string           `json:"withdraws,omitempty"`
	Refusal     string           `json:"refusal,omitempty"`
	RecordCount int              `json:"record_count,omitempty"`
	Records     json.RawMessage  `json:"records,omitempty"`
	Preview     string           `json:"preview,omitempty"`
	Text        *string          `json:"text,omitempty"`
	Attachments []attachmentJSON `json:"attachments,omitempty"`
	Receipts    []receiptJSON    `json:"receipts,omitempty"`
}

type attachmentJSON struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Size  int    `json:"size"`
	Saved string `json:"saved,omitempty"`
}

type receiptJSON struct {
	Type     string    `json:"type"`
	SignedAt time.Time `json:"signed_at"`
	SignedBy string    `json:"signed_by"`
	Verified bool      `json:"verified"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toJSON(m parley.Message) messageJSON {
	j := messageJSON{
		ID: m.ID.String(), Direction: string(m.Direction), Peer: m.PeerName, Seq: m.Seq, Flash: m.Flash, Kind: m.Kind.String(),
		State: m.State, SentAt: m.SentAt, StoredAt: m.StoredAt, DeliveredAt: optTime(m.DeliveredAt), ReadAt: optTime(m.ReadAt),
	}
	if m.Refusal != 0 {
		j.State, j.Refusal = "refused", m.Refusal.String()
	}
	if c, err := parley.DecodeContent(m.Body, unlimited); err == nil {
		j.Preview = preview(c.Text, 60)
		j.RespondBy, j.InReplyTo, j.Withdraws = optTime(c.RespondBy), c.InReplyTo, c.Withdraws
		if len(c.Records) > 0 {
			if b, err := stix.Parse(c.Records, stix.Options{}); err == nil {
				j.RecordCount = len(b.Objects)
			}
		}
		for _, a := range c.Attachments {
			j.Attachments = append(j.Attachments, attachmentJSON{Name: a.Name, Type: a.Type, Size: len(a.Data)})
		}
	}
	return j
}

func preview(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func cmdInbox(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "inbox", "inbox [--dir DIR] [--peer PEER] [--unread] [--sent] [--follow] [--json]")
	dir := dirFlag(fs)
	peer := fs.String("peer", "", "only messages with this peer")
	unread := fs.Bool("unread", false, "only unread messages")
	sent := fs.Bool("sent", false, "list sent messages instead of received ones")
	follow := fs.Bool("follow", false, "after the list, keep printing new messages as they arrive (a bell rings for flash letters); with --json, one JSON object per line")
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
	f := parley.Filter{Direction: parley.Inbound, Unread: *unread, States: []string{parley.StateApplied}}
	if *sent {
		f = parley.Filter{Direction: parley.Outbound, Unread: *unread}
	}
	if *peer != "" {
		p, err := peerByName(ctx, o.node, *peer)
		if err != nil {
			return err
		}
		fp := p.Fingerprint()
		f.Peer = &fp
	}
	msgs, err := o.node.Store.Messages(ctx, f)
	if err != nil {
		return err
	}
	if *follow {
		return followInbox(ctx, c, o, f, msgs, *asJSON)
	}
	out := []messageJSON{}
	for _, m := range msgs {
		out = append(out, toJSON(m))
	}
	if *asJSON {
		return printJSON(c.stdout, map[string]any{"messages": out})
	}
	if len(out) == 0 {
		fmt.Fprintln(c.stdout, "No messages.")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPEER\tSEQ\tSENT\tSTATE\tTEXT")
	for _, m := range out {
		state := m.State
		if m.Refusal != "" {
			state = "refused"
		} else if m.ReadAt != nil {
			state = "read"
		} else if m.Direction == "in" {
			state = "unread"
		}
		text := m.Preview
		if m.Flash {
			text = "FLASH " + text
		}
		if len(m.Attachments) > 0 {
			text += fmt.Sprintf(" [%d attachment(s)]", len(m.Attachments))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", m.ID, m.Peer, m.Seq, m.SentAt.Local().Format("2006-01-02 15:04:05"), state, text)
	}
	return tw.Flush()
}

func cmdShow(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "show", "show ID [--dir DIR] [--save DIR] [--json]")
	dir := dirFlag(fs)
	save := fs.String("save", "", "save attachments into this directory")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one message id")
	}
	id, err := parseMessageID(pos[0])
	if err != nil {
		return err
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	m, content, err := o.node.Open(ctx, id)
	if errors.Is(err, parley.ErrNotFound) {
		return fmt.Errorf("no message %s on this node (see `parley inbox`)", id)
	} else if err != nil {
		return err
	}
	j := toJSON(m)
	j.Text = &content.Text
	j.Records = content.Records
	p, err := o.node.Store.PeerByFingerprint(ctx, m.Peer)
	if err != nil {
		return err
	}
	rs, err := o.node.Store.Receipts(ctx, m.Peer, m.Direction, m.ID)
	if err != nil {
		return err
	}
	for _, t := range []envelope.ReceiptType{envelope.Delivered, envelope.Refused, envelope.Read} {
		r, ok := rs[t]
		if !ok {
			continue
		}
		signer, ident := p.Name, p.Identity
		if m.Direction == parley.Inbound {
			signer, ident = o.cfg.Name, o.node.Identity.Public()
		}
		j.Receipts = append(j.Receipts, receiptJSON{Type: t.String(), SignedAt: r.Time, SignedBy: signer, Verified: r.Verify(ident) == nil})
	}
	if *save != "" {
		if err := os.MkdirAll(*save, 0o700); err != nil {
			return err
		}
		for i, a := range content.Attachments {
			path := filepath.Join(*save, a.Name)
			if err := os.WriteFile(path, a.Data, 0o600); err != nil {
				return err
			}
			j.Attachments[i].Saved = path
		}
	}
	if *asJSON {
		return printJSON(c.stdout, j)
	}
	dirWord := "From"
	if m.Direction == parley.Outbound {
		dirWord = "To"
	}
	fmt.Fprintf(c.stdout, "%s %s\n%s: %s (sequence %d)\nSent: %s\n", titleWord(m.Kind), m.ID, dirWord, m.PeerName, m.Seq, m.SentAt.Local().Format(time.RFC3339))
	if j.RespondBy != nil {
		fmt.Fprintf(c.stdout, "Respond by: %s (%s)\n", j.RespondBy.Local().Format(time.RFC3339), timeLeft(*j.RespondBy, o.node.Now()))
	}
	if j.InReplyTo != "" {
		fmt.Fprintf(c.stdout, "In reply to: %s\n", j.InReplyTo)
	}
	if j.Withdraws != "" {
		fmt.Fprintf(c.stdout, "Withdraws: %s\n", j.Withdraws)
	}
	if m.Refusal != 0 {
		who := "this node"
		if m.Direction == parley.Outbound {
			who = m.PeerName
		}
		fmt.Fprintf(c.stdout, "REFUSED by %s: %s (nothing it carries was applied)\n", who, m.Refusal)
	}
	for _, r := range j.Receipts {
		v := "signature verified"
		if !r.Verified {
			v = "SIGNATURE DOES NOT VERIFY"
		}
		fmt.Fprintf(c.stdout, "Receipt: %s at %s, signed by %s (%s)\n", r.Type, r.SignedAt.Local().Format(time.RFC3339), r.SignedBy, v)
	}
	fmt.Fprintf(c.stdout, "\n%s\n", content.Text)
	if len(content.Records) > 0 {
		b, err := stix.Parse(content.Records, stix.Options{})
		if err != nil {
			fmt.Fprintf(c.stdout, "\nRecords: not valid STIX (%v)\n", err)
		} else {
			fmt.Fprintf(c.stdout, "\nRecords (%d STIX objects; --json prints them):\n", len(b.Objects))
			if err := stix.Render(c.stdout, b); err != nil {
				return err
			}
		}
	}
	for _, a := range j.Attachments {
		fmt.Fprintf(c.stdout, "Attachment: %s (%s, %d bytes)", a.Name, a.Type, a.Size)
		if a.Saved != "" {
			fmt.Fprintf(c.stdout, " saved to %s", a.Saved)
		}
		fmt.Fprintln(c.stdout)
	}
	return nil
}

func cmdStatus(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "status", "status [--dir DIR] [--json]")
	dir := dirFlag(fs)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	sts, err := o.node.Store.Status(ctx)
	if err != nil {
		return err
	}
	type peerStatusJSON struct {
		Name         string        `json:"name"`
		URL          string        `json:"url"`
		Fingerprint  string        `json:"fingerprint"`
		QueueDepth   int           `json:"queue_depth"`
		ReceiptQueue int           `json:"receipt_queue"`
		Held         int           `json:"held"`
		Sent         int           `json:"sent"`
		Received     int           `json:"received"`
		LastDelivery *time.Time    `json:"last_delivery,omitempty"`
		LastError    string        `json:"last_error,omitempty"`
		LastErrorAt  *time.Time    `json:"last_error_at,omitempty"`
		Purpose      string        `json:"purpose"`
		Liveness     *livenessJSON `json:"liveness,omitempty"`
	}
	out := struct {
		Name        string           `json:"name"`
		Fingerprint string           `json:"fingerprint"`
		PublicURL   string           `json:"public_url"`
		Peers       []peerStatusJSON `json:"peers"`
	}{o.cfg.Name, o.node.Identity.Fingerprint().String(), o.cfg.PublicURL, []peerStatusJSON{}}
	lives, err := o.node.Store.Livenesses(ctx)
	if err != nil {
		return err
	}
	byPeer := map[envelope.Fingerprint]parley.Liveness{}
	for _, l := range lives {
		byPeer[l.Peer] = l
	}
	for _, s := range sts {
		j := peerStatusJSON{
			Name: s.Peer.Name, URL: s.Peer.URL, Fingerprint: s.Peer.Fingerprint().String(), Purpose: s.Peer.Purpose,
			QueueDepth: s.QueueDepth, ReceiptQueue: s.ReceiptQueue, Held: s.Held, Sent: s.Sent, Received: s.Received,
			LastDelivery: optTime(s.LastDelivery), LastError: s.LastError, LastErrorAt: optTime(s.LastErrorAt),
		}
		if l, ok := byPeer[s.Peer.Fingerprint()]; ok {
			j.Liveness = &livenessJSON{l.State, l.ChangedAt, optTime(l.LastHeard), float64(l.LastRTT.Microseconds()) / 1000, l.Missed, l.Skew.Milliseconds()}
		}
		out.Peers = append(out.Peers, j)
	}
	if *asJSON {
		return printJSON(c.stdout, out)
	}
	fmt.Fprintf(c.stdout, "Node %s  %s  %s\n", out.Name, out.Fingerprint[:16], out.PublicURL)
	if len(out.Peers) == 0 {
		fmt.Fprintln(c.stdout, "No peers yet (hint: `parley peer add FILE`).")
		return nil
	}
	red, reset := "", ""
	if isTerminal(c.stdout) && os.Getenv("NO_COLOR") == "" {
		red, reset = "\x1b[1;31m", "\x1b[0m"
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PEER\tPURPOSE\tLINE\tRTT\tQUEUE\tSENT\tRECEIVED\tLAST DELIVERY\tLAST ERROR")
	var down []string
	for _, p := range out.Peers {
		last := "never"
		if p.LastDelivery != nil {
			last = p.LastDelivery.Local().Format("2006-01-02 15:04:05")
		}
		line, rtt := "-", "-"
		if l := p.Liveness; l != nil {
			line = l.State
			if l.State == parley.LivenessDown {
				line = "DOWN"
				down = append(down, fmt.Sprintf("%s%s is DOWN since %s (%d heartbeats missed)%s", red, p.Name, l.Since.Local().Format("2006-01-02 15:04:05"), l.Missed, reset))
			}
			if l.RTTms > 0 {
				rtt = fmt.Sprintf("%.1fms", l.RTTms)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", p.Name, p.Purpose, line, rtt, p.QueueDepth, p.Sent, p.Received, last, p.LastError)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, d := range down {
		fmt.Fprintln(c.stdout, d)
	}
	return nil
}

// followInbox prints msgs, then every message matching f that appears later,
// until ctx is done. Flash letters ring the terminal bell.
func followInbox(ctx context.Context, c *cli, o *opened, f parley.Filter, msgs []parley.Message, asJSON bool) error {
	seen := map[envelope.ID]bool{}
	var since time.Time // the newest application time printed
	print := func(m parley.Message) error {
		seen[m.ID] = true
		if m.StoredAt.After(since) {
			since = m.StoredAt
		}
		j := toJSON(m)
		if asJSON {
			b, err := json.Marshal(j)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.stdout, "%s\n", b)
			return err
		}
		mark := ""
		if m.Flash {
			mark = "\a FLASH"
		}
		_, err := fmt.Fprintf(c.stdout, "%s%s  %s  #%d  %s  %s\n", m.StoredAt.Local().Format("15:04:05"), mark, m.PeerName, m.Seq, m.ID, j.Preview)
		return err
	}
	for _, m := range msgs {
		if err := print(m); err != nil {
			return err
		}
	}
	if !asJSON {
		fmt.Fprintln(c.stderr, "following new messages; interrupt to stop")
	}
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		g := f
		g.Since = since
		latest, err := o.node.Store.Messages(ctx, g)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		for _, m := range latest {
			if !seen[m.ID] {
				if err := print(m); err != nil {
					return err
				}
			}
		}
	}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

type livenessJSON struct {
	State     string     `json:"state"` // unknown, up or down
	Since     time.Time  `json:"since"`
	LastHeard *time.Time `json:"last_heard,omitempty"`
	RTTms     float64    `json:"rtt_ms"`
	Missed    int        `json:"missed"`
	SkewMS    int64      `json:"skew_ms"`
}
