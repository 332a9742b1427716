package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/stix"
)

// offsetClock is the wall clock moved forward by the demo, so that a
// deadline can pass without waiting three days.
type offsetClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *offsetClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// warningStory plays a warning with STIX records from compose to answer.
func (d *demo) warningStory(ctx context.Context) error {
	north, south := d.north.o.node, d.south.o.node
	d.say("north warns south: two persons of interest and a financing channel, as STIX 2.1 records marked TLP:AMBER, to be answered within 72 hours.")
	var objs []json.RawMessage
	for _, p := range []stix.PersonInput{
		{Name: "Алексей Царнаев", Aliases: []string{"Alexei Tsarnaev"}, DOB: "1986", Nationalities: []string{"RU"}, ActorTypes: []string{"terrorist"}},
		{Name: "Джамал Царнаев", DOB: "1993-07-22", Nationalities: []string{"RU"}, Documents: []stix.Document{{Type: "passport", Country: "RU", Number: "7512345678"}}},
	} {
		o, err := stix.NewPerson(p, stix.TLPAmber, north.Now())
		if err != nil {
			return err
		}
		objs = append(objs, o...)
	}
	fin, err := stix.NewFinancing(stix.FinancingInput{Name: "Hawala broker, Grozny market", Kind: "hawala", Country: "RU"}, stix.TLPAmber, north.Now())
	if err != nil {
		return err
	}
	bundle, err := stix.NewBundle(append(objs, fin...))
	if err != nil {
		return err
	}
	w, err := north.Compose(ctx, "south", parley.Draft{Kind: envelope.KindWarning, RespondWithin: 72 * time.Hour,
		Content: parley.Content{Text: "The two brothers below are preparing to travel. Please confirm you hold them and tell us what you will do.", Records: bundle}})
	if err != nil {
		return err
	}
	parsed, err := stix.Parse(bundle, stix.Options{RequireTLP: true})
	if err != nil {
		return err
	}
	d.detail("north sent warning %s (sequence %d) with %d STIX objects, validated before sealing", w.ID, w.Seq, len(parsed.Objects))

	d.say("A TLP:RED record cannot leave on this channel (it carries at most TLP:AMBER): refused before anything is sealed.")
	red, err := stix.NewPerson(stix.PersonInput{Name: "Source KESTREL"}, stix.TLPRed, north.Now())
	if err != nil {
		return err
	}
	redBundle, err := stix.NewBundle(red)
	if err != nil {
		return err
	}
	_, err = north.Compose(ctx, "south", parley.Draft{Kind: envelope.KindWarning, Content: parley.Content{Records: redBundle}})
	var r *parley.Refusal
	if !errors.As(err, &r) || r.Reason != envelope.ReasonTLP {
		return fmt.Errorf("a TLP:RED record was not refused: %v", err)
	}
	d.detail("refused: %s", r.Detail)

	if err := waitFor(ctx, "the warning's delivered receipt", 20*time.Second, func() (bool, error) {
		rc, err := d.receipt(ctx, d.north, w.Peer, w.ID, envelope.Delivered)
		return rc != nil, err
	}); err != nil {
		return err
	}
	d.say("south's node checks the records against the STIX 2.1 rules and its own channel policy, stores them, and the warning is on both unanswered boards.")
	for _, n := range []*demoNode{d.north, d.south} {
		b, err := n.o.node.Board(ctx, nil)
		if err != nil {
			return err
		}
		if len(b) != 1 || b[0].ID != w.ID {
			return fmt.Errorf("%s's board holds %d items, want the warning", n.name, len(b))
		}
		owes := "south owes north an answer"
		d.detail("%s's board: %s %s, %s; %s", n.name, b[0].Kind, b[0].ID.String()[:8], timeLeft(b[0].RespondBy, n.o.node.Now()), owes)
	}

	d.say("72 hours pass without an answer (the demo moves both clocks): the warning escalates on both sides; a serving node raises it in the log, /metrics and the webhook, and again every hour until answered.")
	d.clock.Advance(72*time.Hour + 5*time.Minute)
	for _, n := range []*demoNode{d.north, d.south} {
		if _, err := n.o.node.Escalate(ctx, time.Hour); err != nil {
			return err
		}
		b, err := n.o.node.Board(ctx, nil)
		if err != nil {
			return err
		}
		if len(b) != 1 || b[0].Escalations < 1 || !b[0].Overdue(n.o.node.Now()) {
			return fmt.Errorf("%s: the overdue warning did not escalate", n.name)
		}
		d.detail("%s's board: %s, escalated %d time(s)", n.name, timeLeft(b[0].RespondBy, n.o.node.Now()), b[0].Escalations)
	}

	d.say("south's analyst reads the warning (a read receipt goes back) and responds; the response links to it and closes it on both boards.")
	_, c, err := south.Open(ctx, w.ID)
	if err != nil {
		return err
	}
	b, err := stix.Parse(c.Records, stix.Options{})
	if err != nil {
		return err
	}
	for _, p := range b.Persons() {
		d.detail("record: %s, born %s, %s", p.Name, orDash(p.DOB), strings.Join(p.Nationalities, ","))
	}
	resp, err := south.Compose(ctx, "north", parley.Draft{Kind: envelope.KindResponse,
		Content: parley.Content{Text: "Both are known to us. Travel alerts are in place.", InReplyTo: w.ID.String()}})
	if err != nil {
		return err
	}
	if err := waitFor(ctx, "the response at north", 20*time.Second, func() (bool, error) {
		b, err := north.Board(ctx, nil)
		return err == nil && len(b) == 0, err
	}); err != nil {
		return err
	}
	d.detail("south sent response %s; north's and south's boards are empty", resp.ID.String()[:8])
	st, err := north.Statistics(ctx, nil, time.Time{})
	if err != nil {
		return err
	}
	for _, s := range st {
		if s.Direction == parley.Outbound {
			d.detail("north's statistics for south: %d warning(s), %d answered in time of %d due, answered after %s", s.Warnings, s.AnsweredInTime, s.Due, humanDuration(s.AnswerMedian))
		}
	}
	return d.proofStory(ctx, w)
}

// proofStory has north prove the warning and its receipts to a third party.
func (d *demo) proofStory(ctx context.Context, w parley.Message) error {
	d.say("Both transcripts are Merkle logs; each side signs checkpoints and the other cosigns them. north proves to a third party, who holds only the two public identities, that it warned south and that south acknowledged, read and answered it.")
	var bundle []byte
	if err := waitFor(ctx, "cosigned checkpoints covering the warning and its receipts", 30*time.Second, func() (bool, error) {
		b, err := d.north.o.node.MakeProof(ctx, w.ID, true)
		if err != nil {
			return false, nil
		}
		bundle = b
		return strings.Contains(string(b), `"read"`) && strings.Contains(string(b), `"responses"`), nil
	}); err != nil {
		return err
	}
	acc, err := parley.VerifyProof(strings.NewReader(string(bundle)))
	if err != nil {
		return fmt.Errorf("the proof does not verify: %w", err)
	}
	d.detail("proof bundle: %d bytes (`parley proof --message %s --with-receipts -o FILE`); `parley verify FILE` says:", len(bundle), w.ID.String()[:8])
	for _, l := range acc.Lines[1:] {
		d.detail("  %s", preview(l, 150))
	}
	var pr parley.Proof
	if err := json.Unmarshal(bundle, &pr); err != nil {
		return err
	}
	pr.Message.Body = []byte(strings.Replace(string(pr.Message.Body), "two brothers", "two sisters", 1))
	altered, err := json.Marshal(pr)
	if err != nil {
		return err
	}
	if _, err := parley.VerifyProof(strings.NewReader(string(altered))); err == nil {
		return errors.New("an altered proof verified")
	}
	d.detail("changing one word of the disclosed text makes it fail: the commitment signed in the envelope no longer matches")
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
