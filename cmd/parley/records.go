package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/stix"
)

// parseDays parses a Go duration, also accepting whole days ("3d").
func parseDays(s string) (time.Duration, error) { return parley.ParseWithin(s) }

// parseSince parses a point in time: a date, an RFC 3339 time, or a
// duration ago ("30d").
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := parseDays(s); err == nil {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2026-01-31), a time (RFC 3339) or a duration ago (30d)", s)
}

func loadSocialNames(cfg *Config) (*parley.Detector, error) {
	path := cfg.SocialNames
	if !filepath.IsAbs(path) {
		path = filepath.Join(cfg.Dir, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config social_names: %w", err)
	}
	defer f.Close()
	names, err := parley.ReadNames(f)
	if err != nil {
		return nil, fmt.Errorf("config social_names %s: %w", path, err)
	}
	d, err := parley.NewDetector(names)
	if err != nil {
		return nil, fmt.Errorf("config social_names %s: %w", path, err)
	}
	return d, nil
}

// cmdRecord builds STIX records for people who do not write STIX by hand.
func cmdRecord(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 || (args[0] != "person" && args[0] != "financing" && args[0] != "source") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(c.stderr, "Usage: parley record person|financing|source [flags] [--into FILE]\n\nRun `parley record person --help` for the flags of each.")
			return nil
		}
		return usagef("want `parley record person`, `parley record financing` or `parley record source`")
	}
	what := args[0]
	fs := newFlags(c, "record "+what, "record "+what+" [flags] [--tlp LEVEL] [--into FILE]")
	tlpFlag := fs.String("tlp", "amber", "TLP 2.0 marking: clear, green, amber, amber+strict or red")
	into := fs.String("into", "", "add the records to this bundle file (created if missing) instead of printing a bundle")
	name := fs.String("name", "", "name (required), in any script")
	var aliases, nats, docs, roles, types multiFlag
	var dob, kind, iban, bic, bank, wallet, currency, country, desc, reliability, credibility *string
	switch what {
	case "person":
		fs.Var(&aliases, "alias", "another name or spelling; repeatable")
		dob = fs.String("dob", "", "date of birth: YYYY-MM-DD or YYYY")
		fs.Var(&nats, "nationality", "nationality, ISO 3166-1 alpha-2 (RU, FR); repeatable")
		fs.Var(&docs, "document", "identity document TYPE:COUNTRY:NUMBER (passport:RU:7512345678); repeatable")
		fs.Var(&roles, "role", "threat-actor role (sponsor, agent, director…); adds a threat-actor; repeatable")
		fs.Var(&types, "actor-type", "threat-actor type (terrorist, criminal, spy…); adds a threat-actor; repeatable")
	case "financing":
		kind = fs.String("kind", "", "bank-account, crypto-wallet, hawala or front-company (required)")
		iban = fs.String("iban", "", "IBAN of a bank account")
		bic = fs.String("bic", "", "BIC of the bank")
		bank = fs.String("bank", "", "bank name")
		wallet = fs.String("wallet", "", "crypto wallet address")
		currency = fs.String("currency", "", "currency (EUR, BTC…)")
		country = fs.String("country", "", "country, ISO 3166-1 alpha-2")
		desc = fs.String("description", "", "free-text description")
	case "source":
		reliability = fs.String("reliability", "", "Admiralty source reliability A–F (required)")
		credibility = fs.String("credibility", "", "Admiralty information credibility 1–6 (required)")
		desc = fs.String("description", "", "free-text description")
	}
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *name == "" {
		return usagef("--name is required")
	}
	tlp, err := stix.ParseTLP(*tlpFlag)
	if err != nil {
		return usagef("--tlp: %v", err)
	}
	now := time.Now()
	var objs []json.RawMessage
	switch what {
	case "person":
		in := stix.PersonInput{Name: *name, Aliases: aliases, DOB: *dob, Nationalities: nats, Roles: roles, ActorTypes: types}
		for _, d := range docs {
			parts := strings.SplitN(d, ":", 3)
			if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
				return usagef("--document %q: want TYPE:COUNTRY:NUMBER, e.g. passport:RU:7512345678", d)
			}
			in.Documents = append(in.Documents, stix.Document{Type: parts[0], Country: strings.ToUpper(parts[1]), Number: parts[2]})
		}
		objs, err = stix.NewPerson(in, tlp, now)
	case "financing":
		objs, err = stix.NewFinancing(stix.FinancingInput{Name: *name, Kind: *kind, IBAN: *iban, BIC: *bic, Bank: *bank, Wallet: *wallet,
			Currency: *currency, Country: *country, Description: *desc}, tlp, now)
	case "source":
		objs, err = stix.NewSource(stix.SourceInput{Name: *name, Reliability: *reliability, Credibility: *credibility, Description: *desc}, tlp, now)
	}
	if err != nil {
		return usageError{err.Error()}
	}
	bundle, err := stix.NewBundle(objs)
	if err != nil {
		return err
	}
	if *into == "" {
		_, err := c.stdout.Write(append(indentJSON(bundle), '\n'))
		return err
	}
	if old, err := readBounded(*into, stix.MaxBundleBytes); err == nil {
		if bundle, err = stix.Merge(old, bundle); err != nil {
			return fmt.Errorf("%s: %w", *into, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := writeFileAtomic(*into, append(indentJSON(bundle), '\n')); err != nil {
		return err
	}
	b, _ := stix.Parse(bundle, stix.Options{})
	fmt.Fprintf(c.stdout, "%s now holds %d STIX objects.\n", *into, len(b.Objects))
	return nil
}

func indentJSON(b []byte) []byte {
	var out strings.Builder
	var v json.RawMessage = b
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return b
	}
	return []byte(strings.TrimSuffix(out.String(), "\n"))
}

// writeFileAtomic replaces path with data, so an interrupted write never
// leaves half a bundle.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".parley-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// cmdRespond answers a received warning or request.
func cmdRespond(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "respond", "respond ID (--text T | --file F | --records BUNDLE)... [--dir DIR] [--json]")
	dir := dirFlag(fs)
	m := &messageFlags{}
	m.register(fs)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one message id: the warning or request you answer (see `parley board`)")
	}
	id, err := parseMessageID(pos[0])
	if err != nil {
		return err
	}
	if m.empty() {
		return usagef("nothing to answer with: give --text TEXT, --file FILE or --records BUNDLE")
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	target, err := linkedMessage(ctx, o, id, parley.Inbound)
	if err != nil {
		return err
	}
	d := parley.Draft{Kind: envelope.KindResponse}
	if d.Content, err = m.content(c, o.cfg); err != nil {
		return err
	}
	d.Content.InReplyTo = id.String()
	return composeAndPrint(ctx, c, o, target.PeerName, d, *asJSON)
}

// cmdWithdraw withdraws a warning or request this node sent.
func cmdWithdraw(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "withdraw", "withdraw ID [--text T] [--dir DIR] [--json]")
	dir := dirFlag(fs)
	text := fs.String("text", "", "why it is withdrawn (default: \"Withdrawn.\")")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one message id: the warning or request you sent (see `parley board`)")
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
	target, err := linkedMessage(ctx, o, id, parley.Outbound)
	if err != nil {
		return err
	}
	if *text == "" {
		*text = "Withdrawn."
	}
	d := parley.Draft{Kind: envelope.KindLetter, Content: parley.Content{Text: *text, Withdraws: id.String()}}
	return composeAndPrint(ctx, c, o, target.PeerName, d, *asJSON)
}

// linkedMessage finds the warning or request a response or withdrawal
// names, with an error that says what to do.
func linkedMessage(ctx context.Context, o *opened, id envelope.ID, dir parley.Direction) (parley.Message, error) {
	m, err := o.node.Store.Message(ctx, id)
	if errors.Is(err, parley.ErrNotFound) || (err == nil && m.Direction != dir) {
		m, err = messageInDirection(ctx, o, id, dir)
	}
	if errors.Is(err, parley.ErrNotFound) {
		if dir == parley.Inbound {
			return m, fmt.Errorf("no received message %s (see `parley board` for what awaits your answer)", id)
		}
		return m, fmt.Errorf("no sent message %s (see `parley board` for what you are waiting on)", id)
	}
	if err != nil {
		return m, err
	}
	if m.Kind != envelope.KindWarning && m.Kind != envelope.KindRequest {
		return m, fmt.Errorf("message %s is a %s; only warnings and requests are answered or withdrawn", id, m.Kind)
	}
	return m, nil
}

func messageInDirection(ctx context.Context, o *opened, id envelope.ID, dir parley.Direction) (parley.Message, error) {
	peers, err := o.node.Store.Peers(ctx)
	if err != nil {
		return parley.Message{}, err
	}
	for _, p := range peers {
		m, err := o.node.Store.MessageBy(ctx, p.Fingerprint(), dir, id)
		if err == nil || !errors.Is(err, parley.ErrNotFound) {
			return m, err
		}
	}
	return parley.Message{}, parley.ErrNotFound
}

// timeLeft says how long until a deadline, or how long overdue.
func timeLeft(by, now time.Time) string {
	d := by.Sub(now)
	if d >= 0 {
		return humanDuration(d) + " left"
	}
	return "OVERDUE by " + humanDuration(-d)
}

func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

func titleWord(k envelope.Kind) string {
	s := k.String()
	if s == "" {
		return "Message"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

type obligationJSON struct {
	ID          string     `json:"id"`
	Direction   string     `json:"direction"`
	Peer        string     `json:"peer"`
	Kind        string     `json:"kind"`
	Seq         uint64     `json:"seq"`
	SentAt      time.Time  `json:"sent_at"`
	RespondBy   time.Time  `json:"respond_by"`
	ReadAt      *time.Time `json:"read_at,omitempty"`
	Overdue     bool       `json:"overdue"`
	SecondsLeft int64      `json:"seconds_left"`
	Escalations int        `json:"escalations"`
}

// cmdBoard lists the open warnings and requests both ways.
func cmdBoard(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "board", "board [--peer PEER] [--dir DIR] [--json]")
	dir := dirFlag(fs)
	peer := fs.String("peer", "", "only this peer")
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
	fp, err := optionalPeer(ctx, o, *peer)
	if err != nil {
		return err
	}
	os, err := o.node.Board(ctx, fp)
	if err != nil {
		return err
	}
	now := o.node.Now()
	items := []obligationJSON{}
	for _, ob := range os {
		items = append(items, obligationJSON{ID: ob.ID.String(), Direction: string(ob.Direction), Peer: ob.PeerName, Kind: ob.Kind.String(),
			Seq: ob.Seq, SentAt: ob.SentAt, RespondBy: ob.RespondBy, ReadAt: optTime(ob.ReadAt), Overdue: ob.Overdue(now),
			SecondsLeft: int64(ob.RespondBy.Sub(now) / time.Second), Escalations: ob.Escalations})
	}
	if *asJSON {
		return printJSON(c.stdout, map[string]any{"items": items})
	}
	if len(items) == 0 {
		fmt.Fprintln(c.stdout, "Nothing unanswered.")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tWHO OWES\tPEER\tKIND\tSENT\tRESPOND BY\tTIME\tREAD")
	for i, it := range items {
		owes := "they do"
		if it.Direction == string(parley.Inbound) {
			owes = "we do"
		}
		read := "no"
		if it.ReadAt != nil {
			read = it.ReadAt.Local().Format("01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.ID, owes, it.Peer, it.Kind, it.SentAt.Local().Format("2006-01-02 15:04"),
			it.RespondBy.Local().Format("2006-01-02 15:04"), timeLeft(os[i].RespondBy, now), read)
	}
	return tw.Flush()
}

func optionalPeer(ctx context.Context, o *opened, name string) (*envelope.Fingerprint, error) {
	if name == "" {
		return nil, nil
	}
	p, err := peerByName(ctx, o.node, name)
	if err != nil {
		return nil, err
	}
	fp := p.Fingerprint()
	return &fp, nil
}

type statsJSON struct {
	Peer                string   `json:"peer"`
	Direction           string   `json:"direction"`
	Warnings            int      `json:"warnings"`
	Requests            int      `json:"requests"`
	Responses           int      `json:"responses"`
	Due                 int      `json:"due"`
	AnsweredInTime      int      `json:"answered_in_time"`
	ShareInTime         *float64 `json:"share_answered_in_time"`
	Acknowledged        int      `json:"acknowledged"`
	Answered            int      `json:"answered"`
	AckMedianSeconds    float64  `json:"ack_median_seconds"`
	AckP90Seconds       float64  `json:"ack_p90_seconds"`
	AnswerMedianSeconds float64  `json:"answer_median_seconds"`
	AnswerP90Seconds    float64  `json:"answer_p90_seconds"`
	OverdueNow          int      `json:"overdue_now"`
	Withdrawn           int      `json:"withdrawn"`
}

// cmdStats prints accountability figures per partner and direction.
func cmdStats(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "stats", "stats [--peer PEER] [--since DATE|DURATION] [--dir DIR] [--json]")
	dir := dirFlag(fs)
	peer := fs.String("peer", "", "only this peer")
	since := fs.String("since", "", "only what was sent since: 2026-01-31, an RFC 3339 time, or a duration ago (30d)")
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
	var from time.Time
	if *since != "" {
		if from, err = parseSince(*since, o.node.Now()); err != nil {
			return usagef("--since: %v", err)
		}
	}
	fp, err := optionalPeer(ctx, o, *peer)
	if err != nil {
		return err
	}
	st, err := o.node.Statistics(ctx, fp, from)
	if err != nil {
		return err
	}
	out := []statsJSON{}
	for _, s := range st {
		j := statsJSON{Peer: s.PeerName, Direction: string(s.Direction), Warnings: s.Warnings, Requests: s.Requests, Responses: s.Responses,
			Due: s.Due, AnsweredInTime: s.AnsweredInTime, Acknowledged: s.Acknowledged, Answered: s.Answered,
			AckMedianSeconds: s.AckMedian.Seconds(), AckP90Seconds: s.AckP90.Seconds(),
			AnswerMedianSeconds: s.AnswerMedian.Seconds(), AnswerP90Seconds: s.AnswerP90.Seconds(), OverdueNow: s.OverdueNow, Withdrawn: s.Withdrawn}
		if share := s.ShareInTime(); share >= 0 {
			j.ShareInTime = &share
		}
		out = append(out, j)
	}
	if *asJSON {
		return printJSON(c.stdout, map[string]any{"stats": out})
	}
	if len(out) == 0 {
		fmt.Fprintln(c.stdout, "No warnings or requests yet.")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PEER\tDIRECTION\tWARNINGS\tREQUESTS\tRESPONSES\tIN TIME\tACK p50/p90\tANSWER p50/p90\tOVERDUE NOW")
	for _, s := range out {
		dirw := "we sent"
		if s.Direction == string(parley.Inbound) {
			dirw = "we received"
		}
		share := "-"
		if s.ShareInTime != nil {
			share = fmt.Sprintf("%.0f%% (%d/%d)", *s.ShareInTime*100, s.AnsweredInTime, s.Due)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%d\n", s.Peer, dirw, s.Warnings, s.Requests, s.Responses, share,
			pair(s.AckMedianSeconds, s.AckP90Seconds, s.Acknowledged), pair(s.AnswerMedianSeconds, s.AnswerP90Seconds, s.Answered), s.OverdueNow)
	}
	return tw.Flush()
}

func pair(p50, p90 float64, n int) string {
	if n == 0 {
		return "-"
	}
	return humanDuration(time.Duration(p50*float64(time.Second))) + "/" + humanDuration(time.Duration(p90*float64(time.Second)))
}
