package parley

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/transcript"
)

// ProofFormat names version 1 of the proof bundle (docs/protocol.md).
const ProofFormat = "parley-proof-v1"

// MaxProofBytes bounds a proof bundle read by VerifyProof.
const MaxProofBytes = 64 << 20

// Proof is a self-contained bundle that proves to a third party, who has
// only the two nodes' public identities, that one message was sent and
// (optionally) received and read: the message's envelope with its
// plaintext and salt disclosed, an inclusion proof of the envelope in its
// sender's log under a checkpoint signed by the sender and cosigned by the
// recipient, and the recipient's signed receipts with their own inclusion
// proofs. Nothing else is revealed: no key, no other message.
type Proof struct {
	Format     string          `json:"format"`
	Identities []ProofIdentity `json:"identities"` // sender first
	Message    ProofEnvelope   `json:"message"`
	Delivered  *ProofReceipt   `json:"delivered,omitempty"` // the delivered or refused receipt
	Read       *ProofEnvelope  `json:"read,omitempty"`      // the read receipt, an envelope from the recipient
	Responses  []ProofEnvelope `json:"responses,omitempty"` // the recipient's responses linked to the message, disclosed
}

// ProofIdentity is a public identity: the fingerprint is recomputed from
// the keys.
type ProofIdentity struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
	SigningKey  []byte `json:"signing_key"`
	HPKEKey     []byte `json:"hpke_key"`
}

// ProofEnvelope is an envelope disclosed with its salt and plaintext, and
// its place in its sender's log.
type ProofEnvelope struct {
	Envelope []byte        `json:"envelope"`
	Salt     []byte        `json:"salt"`
	Body     []byte        `json:"body"`
	Log      ProofLogEntry `json:"log"`
}

// ProofReceipt is a signed receipt and its place in the signer's receipt log.
type ProofReceipt struct {
	Receipt []byte        `json:"receipt"`
	Log     ProofLogEntry `json:"log"`
}

// ProofLogEntry is an inclusion proof under a cosigned checkpoint.
type ProofLogEntry struct {
	Checkpoint string   `json:"checkpoint"` // the signed note, with the cosignature
	Index      int64    `json:"index"`
	Proof      [][]byte `json:"proof"`
}

// MakeProof builds the proof bundle of the message with this id (sent or
// received by this node). withReceipts adds the delivered (or refused)
// receipt and, if the message was read, the read receipt. It fails, saying
// what to wait for, when a needed checkpoint is not cosigned yet.
func (n *Node) MakeProof(ctx context.Context, id envelope.ID, withReceipts bool) ([]byte, error) {
	m, err := n.Store.Message(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.Kind == envelope.KindReceipt {
		return nil, errors.New("proof: that message is a read receipt; prove the message it acknowledges, with --with-receipts")
	}
	p, err := n.Store.PeerByFingerprint(ctx, m.Peer)
	if err != nil {
		return nil, err
	}
	lane := LogID(0)
	if m.Flash {
		lane = 1
	}
	sender, recipient := n.Identity.Public(), p.Identity
	senderName, recipientName := n.Name, p.Name
	msgLog, rcptLog := LogOut+lane, LogTheirReceipts+lane
	if m.Direction == Inbound {
		sender, recipient = recipient, sender
		senderName, recipientName = recipientName, senderName
		msgLog, rcptLog = LogIn+lane, LogOurReceipts+lane
	}
	out := Proof{Format: ProofFormat, Identities: []ProofIdentity{proofIdentity(senderName, sender), proofIdentity(recipientName, recipient)}}
	out.Message.Envelope, out.Message.Salt, out.Message.Body = m.Envelope, m.Salt, m.Body
	if out.Message.Log, err = n.logEntry(ctx, p, msgLog, int64(m.Seq)-1); err != nil {
		return nil, err
	}
	if withReceipts {
		rs, err := n.Store.Receipts(ctx, m.Peer, m.Direction, m.ID)
		if err != nil {
			return nil, err
		}
		d := rs[envelope.Delivered]
		if d == nil {
			d = rs[envelope.Refused]
		}
		if d == nil {
			return nil, fmt.Errorf("proof: message %s has no delivered receipt yet", m.ID)
		}
		out.Delivered = &ProofReceipt{Receipt: d.Raw}
		if out.Delivered.Log, err = n.logEntry(ctx, p, rcptLog, int64(m.Seq)-1); err != nil {
			return nil, err
		}
		rdir := Inbound
		if m.Direction == Inbound {
			rdir = Outbound
		}
		resps, err := n.Store.Responses(ctx, m.Peer, rdir, m.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range resps {
			l := LogOut
			if rdir == Inbound {
				l = LogIn
			}
			if r.Flash {
				l++
			}
			pe := ProofEnvelope{Envelope: r.Envelope, Salt: r.Salt, Body: r.Body}
			if pe.Log, err = n.logEntry(ctx, p, l, int64(r.Seq)-1); err != nil {
				return nil, err
			}
			out.Responses = append(out.Responses, pe)
		}
		if r := rs[envelope.Read]; r != nil {
			// The read receipt travelled as an envelope from the recipient.
			dir := Outbound
			if m.Direction == Outbound {
				dir = Inbound
			}
			re, err := n.Store.ReceiptEnvelope(ctx, m.Peer, dir, r.Raw)
			if err != nil {
				return nil, fmt.Errorf("proof: the read receipt's envelope: %w", err)
			}
			l := LogOut
			if dir == Inbound {
				l = LogIn
			}
			if re.Flash {
				l++
			}
			out.Read = &ProofEnvelope{Envelope: re.Envelope, Salt: re.Salt, Body: re.Body}
			if out.Read.Log, err = n.logEntry(ctx, p, l, int64(re.Seq)-1); err != nil {
				return nil, err
			}
		}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func proofIdentity(name string, p *envelope.PublicIdentity) ProofIdentity {
	return ProofIdentity{Name: name, Fingerprint: p.Fingerprint().String(), SigningKey: p.SigningKey(), HPKEKey: p.HPKEKey()}
}

// logEntry proves the entry at index of a log under the smallest cosigned
// checkpoint that covers it.
func (n *Node) logEntry(ctx context.Context, p Peer, l LogID, index int64) (ProofLogEntry, error) {
	cp, err := n.Store.CheckpointCovering(ctx, p.Fingerprint(), l, index+1)
	if errors.Is(err, ErrNotFound) {
		return ProofLogEntry{}, fmt.Errorf("proof: entry %d of %s with %s is %w (checkpoints follow deliveries and every checkpoint_interval while serve runs)", index, l, p.Name, ErrNotCheckpointed)
	} else if err != nil {
		return ProofLogEntry{}, err
	}
	ip, err := transcript.ProveInclusion(index, cp.Size, n.Store.LogHashes(ctx, p.Fingerprint(), l))
	if err != nil {
		return ProofLogEntry{}, fmt.Errorf("proof: %w", err)
	}
	e := ProofLogEntry{Checkpoint: string(cp.Note), Index: index, Proof: make([][]byte, len(ip.Hashes))}
	for i, h := range ip.Hashes {
		e.Proof[i] = h[:]
	}
	return e, nil
}

// ProofAccount is what a verified proof establishes.
type ProofAccount struct {
	Sender, Recipient string // names as given in the bundle, with fingerprints
	Lines             []string
}

func (a *ProofAccount) String() string { return strings.Join(a.Lines, "\n") + "\n" }

// VerifyProof checks a proof bundle offline, with nothing but what it
// holds, and returns an account of what it proves. Any failed check is an
// error naming it; nothing in the bundle is trusted before it is checked.
func VerifyProof(r io.Reader) (*ProofAccount, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxProofBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxProofBytes {
		return nil, fmt.Errorf("proof: larger than %d bytes", MaxProofBytes)
	}
	var p Proof
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&p); err != nil {
		return nil, fmt.Errorf("proof: not a proof bundle: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("proof: trailing data after the bundle")
	}
	if p.Format != ProofFormat {
		return nil, fmt.Errorf("proof: format %q, want %q", p.Format, ProofFormat)
	}
	if len(p.Identities) != 2 {
		return nil, fmt.Errorf("proof: %d identities, want the sender's and the recipient's", len(p.Identities))
	}
	ids := make([]*envelope.PublicIdentity, 2)
	for i, pi := range p.Identities {
		id, err := envelope.NewPublicIdentity(pi.SigningKey, pi.HPKEKey)
		if err != nil {
			return nil, fmt.Errorf("proof: identity %d: %w", i, err)
		}
		if id.Fingerprint().String() != pi.Fingerprint {
			return nil, fmt.Errorf("proof: identity %q: the fingerprint does not match its keys", pi.Name)
		}
		if ValidName(pi.Name) != nil {
			return nil, fmt.Errorf("proof: identity %d has an invalid name", i)
		}
		ids[i] = id
	}
	sender, recipient := ids[0], ids[1]
	sn, rn := p.Identities[0].Name, p.Identities[1].Name
	acc := &ProofAccount{Sender: sn, Recipient: rn}
	say := func(format string, args ...any) { acc.Lines = append(acc.Lines, fmt.Sprintf(format, args...)) }
	say("Identities: %s %s and %s %s (fingerprints recomputed from their keys; compare them with the ones you know).",
		sn, sender.Fingerprint(), rn, recipient.Fingerprint())

	// The message.
	e, body, err := checkDisclosed("message", p.Message, sender, recipient)
	if err != nil {
		return nil, err
	}
	h := e.Header
	lane := LogID(0)
	laneWord := ""
	if h.Flash {
		lane, laneWord = 1, " (flash)"
	}
	c, err := DecodeContent(body, Limits{MaxEnvelopeBytes: MaxProofBytes, MaxAttachmentBytes: MaxProofBytes})
	if err != nil {
		return nil, fmt.Errorf("proof: message: the disclosed body is not a message: %w", err)
	}
	say("%s sent %s #%d%s to %s on %s (signed by %s; the disclosed text and salt match the signed commitment).",
		sn, h.Kind, h.Seq, laneWord, rn, h.Time.Format(time.RFC3339), sn)
	if !c.RespondBy.IsZero() {
		say("It asked for an answer by %s.", c.RespondBy.Format(time.RFC3339))
	}
	if c.InReplyTo != "" {
		say("It answers message %s.", c.InReplyTo)
	}
	say("Text: %q", c.Text)
	for _, a := range c.Attachments {
		sum := sha256.Sum256(a.Data)
		say("Attachment: %s (%s, %d bytes, SHA-256 %x).", a.Name, a.Type, len(a.Data), sum)
	}
	if len(c.Records) > 0 {
		say("Records: %d bytes of STIX 2.1 (SHA-256 %x).", len(c.Records), sha256.Sum256(c.Records))
	}
	cp, cosAt, err := checkEntry("message", p.Message.Log, envelope.Hash(p.Message.Envelope), int64(h.Seq)-1,
		Origin(h.Channel, sender.Fingerprint(), LogOut+lane), sender, recipient)
	if err != nil {
		return nil, err
	}
	say("It is entry %d of %s's %s log: checkpoint of size %d signed by %s, cosigned by %s at %s.",
		h.Seq-1, sn, logNames[LogOut+lane], cp.Size, sn, rn, cosAt.Format(time.RFC3339))

	// The delivered (or refused) receipt.
	if p.Delivered != nil {
		rc, err := envelope.ParseReceipt(p.Delivered.Receipt)
		if err != nil {
			return nil, fmt.Errorf("proof: delivered receipt: %w", err)
		}
		if err := checkReceiptFor(rc, h, envelope.Hash(p.Message.Envelope), recipient); err != nil {
			return nil, fmt.Errorf("proof: delivered receipt: %w", err)
		}
		if rc.Type != envelope.Delivered && rc.Type != envelope.Refused {
			return nil, fmt.Errorf("proof: delivered receipt: it is a %s receipt", rc.Type)
		}
		cp, cosAt, err := checkEntry("delivered receipt", p.Delivered.Log, sha256.Sum256(p.Delivered.Receipt), int64(h.Seq)-1,
			Origin(h.Channel, recipient.Fingerprint(), LogOurReceipts+lane), recipient, sender)
		if err != nil {
			return nil, err
		}
		if rc.Type == envelope.Refused {
			say("%s received it and REFUSED its content (%s) at %s (signed refusal).", rn, rc.Reason, rc.Time.Format(time.RFC3339Nano))
		} else {
			say("%s acknowledged delivery at %s (signed receipt).", rn, rc.Time.Format(time.RFC3339Nano))
		}
		say("The receipt is entry %d of %s's %s log: checkpoint of size %d signed by %s, cosigned by %s at %s.",
			h.Seq-1, rn, logNames[LogOurReceipts+lane], cp.Size, rn, sn, cosAt.Format(time.RFC3339))
	}

	// The read receipt, an envelope from the recipient.
	if p.Read != nil {
		re, rbody, err := checkDisclosed("read receipt", *p.Read, recipient, sender)
		if err != nil {
			return nil, err
		}
		if re.Header.Kind != envelope.KindReceipt || re.Header.Channel != h.Channel {
			return nil, errors.New("proof: read receipt: the envelope is not a receipt on the message's channel")
		}
		rc, err := envelope.ParseReceipt(rbody)
		if err != nil {
			return nil, fmt.Errorf("proof: read receipt: %w", err)
		}
		if err := checkReceiptFor(rc, h, envelope.Hash(p.Message.Envelope), recipient); err != nil {
			return nil, fmt.Errorf("proof: read receipt: %w", err)
		}
		if rc.Type != envelope.Read {
			return nil, fmt.Errorf("proof: read receipt: it is a %s receipt", rc.Type)
		}
		rl := LogOut
		if re.Header.Flash {
			rl = LogOutFlash
		}
		cp, cosAt, err := checkEntry("read receipt", p.Read.Log, envelope.Hash(p.Read.Envelope), int64(re.Header.Seq)-1,
			Origin(h.Channel, recipient.Fingerprint(), rl), recipient, sender)
		if err != nil {
			return nil, err
		}
		say("%s read it at %s (signed read receipt, sent as %s's envelope #%d).", rn, rc.Time.Format(time.RFC3339Nano), rn, re.Header.Seq)
		say("That envelope is entry %d of %s's %s log: checkpoint of size %d signed by %s, cosigned by %s at %s.",
			re.Header.Seq-1, rn, logNames[rl], cp.Size, rn, sn, cosAt.Format(time.RFC3339))
	}
	for i, pr := range p.Responses {
		what := fmt.Sprintf("response %d", i+1)
		re, rbody, err := checkDisclosed(what, pr, recipient, sender)
		if err != nil {
			return nil, err
		}
		if re.Header.Kind != envelope.KindResponse || re.Header.Channel != h.Channel {
			return nil, fmt.Errorf("proof: %s: not a response on the message's channel", what)
		}
		rc, err := DecodeContent(rbody, Limits{MaxEnvelopeBytes: MaxProofBytes, MaxAttachmentBytes: MaxProofBytes})
		if err != nil {
			return nil, fmt.Errorf("proof: %s: %w", what, err)
		}
		if rc.InReplyTo != h.ID.String() {
			return nil, fmt.Errorf("proof: %s: it answers %q, not this message", what, rc.InReplyTo)
		}
		rl := LogOut
		if re.Header.Flash {
			rl = LogOutFlash
		}
		cp, cosAt, err := checkEntry(what, pr.Log, envelope.Hash(pr.Envelope), int64(re.Header.Seq)-1,
			Origin(h.Channel, recipient.Fingerprint(), rl), recipient, sender)
		if err != nil {
			return nil, err
		}
		say("%s answered on %s (response #%d, linked to it): %q", rn, re.Header.Time.Format(time.RFC3339), re.Header.Seq, rc.Text)
		say("The response is entry %d of %s's %s log: checkpoint of size %d signed by %s, cosigned by %s at %s.",
			re.Header.Seq-1, rn, logNames[rl], cp.Size, rn, sn, cosAt.Format(time.RFC3339))
	}
	say("Every check passed.")
	return acc, nil
}

// checkDisclosed parses a disclosed envelope, checks its addressing and
// signature, and that the salt and body open its commitment.
func checkDisclosed(what string, pe ProofEnvelope, sender, recipient *envelope.PublicIdentity) (*envelope.Envelope, []byte, error) {
	e, err := envelope.Parse(pe.Envelope)
	if err != nil {
		return nil, nil, fmt.Errorf("proof: %s: %w", what, err)
	}
	if e.Header.Sender != sender.Fingerprint() || e.Header.Recipient != recipient.Fingerprint() {
		return nil, nil, fmt.Errorf("proof: %s: the envelope is not from %s to %s", what, sender.Fingerprint().Short(), recipient.Fingerprint().Short())
	}
	if err := e.Verify(sender); err != nil {
		return nil, nil, fmt.Errorf("proof: %s: the sender's signature does not verify: %w", what, err)
	}
	if !e.Header.CheckCommitment(pe.Salt, pe.Body) {
		return nil, nil, fmt.Errorf("proof: %s: the disclosed body and salt do not match the signed commitment", what)
	}
	return e, pe.Body, nil
}

// checkReceiptFor checks that a receipt is the recipient's, signed, for the
// envelope with header h and hash.
func checkReceiptFor(r *envelope.Receipt, h *envelope.Header, hash [32]byte, recipient *envelope.PublicIdentity) error {
	if r.Envelope != h.ID || r.Seq != h.Seq || r.Hash != hash || r.Channel != h.Channel || r.Sender != h.Sender || r.Recipient != h.Recipient {
		return errors.New("it does not name the message")
	}
	if err := r.Verify(recipient); err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	return nil
}

// checkEntry checks that entry is at index of the log named origin, under a
// checkpoint signed by operator and cosigned by witness.
func checkEntry(what string, le ProofLogEntry, entry [32]byte, index int64, origin string, operator, witness *envelope.PublicIdentity) (transcript.Checkpoint, time.Time, error) {
	wk := TranscriptKey(witness, nil)
	cp, cos, err := transcript.Open([]byte(le.Checkpoint), TranscriptKey(operator, nil), wk)
	if err != nil {
		return cp, time.Time{}, fmt.Errorf("proof: %s: checkpoint: %w", what, err)
	}
	at, ok := cos[wk.Name()]
	if !ok {
		return cp, time.Time{}, fmt.Errorf("proof: %s: the checkpoint is not cosigned by %s", what, witness.Fingerprint().Short())
	}
	if cp.Origin != origin {
		return cp, time.Time{}, fmt.Errorf("proof: %s: the checkpoint is of log %q, not %q", what, cp.Origin, origin)
	}
	if le.Index != index {
		return cp, time.Time{}, fmt.Errorf("proof: %s: the proof is for entry %d, the envelope's sequence number says %d", what, le.Index, index)
	}
	ip := transcript.InclusionProof{Index: index, Size: cp.Size, Hashes: make([]tlog.Hash, len(le.Proof))}
	for i, h := range le.Proof {
		if len(h) != tlog.HashSize {
			return cp, time.Time{}, fmt.Errorf("proof: %s: proof hash %d has %d bytes", what, i, len(h))
		}
		ip.Hashes[i] = tlog.Hash(h)
	}
	if err := transcript.VerifyInclusion(entry, ip, cp.Root); err != nil {
		return cp, time.Time{}, fmt.Errorf("proof: %s: not in the checkpointed log: %w", what, err)
	}
	return cp, at, nil
}
