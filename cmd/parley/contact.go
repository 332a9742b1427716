package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parley-dev/parley/internal/contact"
	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/federation"
	"github.com/parley-dev/parley/internal/parley"
)

func cmdContact(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 {
		return usagef("want `parley contact invite|pending|list|accept|decline`")
	}
	switch args[0] {
	case "invite":
		return cmdContactInvite(ctx, c, args[1:])
	case "pending":
		return cmdContactList(ctx, c, args[1:], true)
	case "list":
		return cmdContactList(ctx, c, args[1:], false)
	case "accept":
		return cmdContactAnswer(ctx, c, args[1:], true)
	case "decline":
		return cmdContactAnswer(ctx, c, args[1:], false)
	case "-h", "--help":
		fmt.Fprint(c.stderr, `Usage:
  parley contact invite --to URL --secret-file F [--purpose social|liaison|hotline] [--expires 72h] [--answers-normaliser default|none]
  parley contact pending [--json]          invitations waiting for your answer
  parley contact list [--json]             every invitation, sent and received
  parley contact accept ID --secret-file F [--answers-normaliser default|none]
  parley contact decline ID
The secret file holds the answers agreed out of band, one per line, in the agreed order.
`)
		return nil
	}
	return usagef("unknown subcommand %q; want invite, pending, list, accept or decline", args[0])
}

// readSecret reads the answers, one per line, and normalises them: the
// default normaliser (contact.NormaliseAnswers) folds case, accents,
// punctuation and spacing so that "Mont Blanc" and "mont-blanc" agree;
// "none" uses the file's bytes without its final newline.
func readSecret(path, normaliser string, warn io.Writer) ([]byte, error) {
	if normaliser != "default" && normaliser != "none" {
		return nil, usagef("--answers-normaliser %q: want default or none", normaliser)
	}
	if path == "" {
		return nil, usagef("--secret-file is required (the answers agreed out of band, one per line)")
	}
	b, err := readBounded(path, 4096)
	if err != nil {
		return nil, fmt.Errorf("secret file: %w", err)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(warn, "warning: %s is readable by others (mode %v); consider chmod 600\n", path, st.Mode().Perm())
	}
	if normaliser == "none" {
		s := bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
		if len(s) == 0 {
			return nil, errors.New("the secret file is empty")
		}
		return s, nil
	}
	var answers []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			answers = append(answers, line)
		}
	}
	if len(answers) == 0 {
		return nil, errors.New("the secret file holds no answer")
	}
	s, err := contact.NormaliseAnswers(answers)
	if err != nil {
		return nil, fmt.Errorf("secret file: %w", err)
	}
	return []byte(s), nil
}

func cmdContactInvite(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "contact invite", "contact invite --to URL --secret-file F [--purpose P] [--expires 72h] [--answers-normaliser default|none] [--dir DIR] [--json]")
	dir := dirFlag(fs)
	to := fs.String("to", "", "the URL of the node to invite (required)")
	secretFile := fs.String("secret-file", "", "file with the answers agreed out of band, one per line (required)")
	normaliser := fs.String("answers-normaliser", "default", "default (fold case, accents, punctuation, spacing) or none")
	expires := fs.Duration("expires", 72*time.Hour, "how long the invitation stays open")
	purpose := fs.String("purpose", "liaison", "proposed channel purpose: social, liaison or hotline")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *to == "" {
		return usagef("--to URL is required (the other node's public URL)")
	}
	if err := parley.ValidURL(*to); err != nil {
		return usageError{"--to: " + err.Error()}
	}
	if err := parley.ValidPurpose(*purpose); err != nil {
		return usageError{err.Error()}
	}
	if *expires <= 0 || *expires > 30*24*time.Hour {
		return usagef("--expires must be between 1s and 720h")
	}
	secret, err := readSecret(*secretFile, *normaliser, c.stderr)
	if err != nil {
		return err
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	inv, err := o.node.CreateInvite(ctx, *to, secret, *purpose, *expires)
	if err != nil {
		return err
	}
	client := federation.NewClient(o.cfg.HTTPTimeout)
	if err := client.Invite(ctx, *to, inv, parley.ExportIdentity(o.node.Identity, o.cfg.Name, o.cfg.PublicURL)); err != nil {
		if derr := o.node.Store.DeleteInvitation(context.WithoutCancel(ctx), inv.ID, parley.Outbound); derr != nil {
			return errors.Join(err, derr)
		}
		return fmt.Errorf("the invitation could not be delivered to %s (nothing was kept): %w", *to, err)
	}
	if *asJSON {
		return printJSON(c.stdout, map[string]any{"id": inv.ID.String(), "to": *to, "purpose": inv.Purpose, "expires_at": inv.ExpiresAt.Truncate(time.Millisecond)})
	}
	fmt.Fprintf(c.stdout, "Invitation %s delivered to %s; it expires at %s.\n", inv.ID, *to, inv.ExpiresAt.Local().Format(time.RFC3339))
	fmt.Fprintln(c.stdout, "Keep `parley serve` running: the other side answers through it. `parley contact list` shows the outcome.")
	return nil
}

type invitationJSON struct {
	ID           string     `json:"id"`
	Direction    string     `json:"direction"`
	Status       string     `json:"status"`
	PeerURL      string     `json:"peer_url"`
	PeerName     string     `json:"peer_name,omitempty"`   // received and pending: the inviter's claim, unverified
	Fingerprint  string     `json:"fingerprint,omitempty"` // received and pending: claimed; accepted: verified
	Purpose      string     `json:"purpose"`
	Attempts     int        `json:"attempts"`
	CreatedAt    time.Time  `json:"created_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	EndedAt      *time.Time `json:"ended_at,omitempty"`
	SafetyNumber string     `json:"safety_number,omitempty"`
}

func cmdContactList(ctx context.Context, c *cli, args []string, pendingOnly bool) error {
	name := "contact list"
	if pendingOnly {
		name = "contact pending"
	}
	fs := newFlags(c, name, name+" [--dir DIR] [--json]")
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
	var all []parley.Invitation
	for _, d := range []parley.Direction{parley.Inbound, parley.Outbound} {
		if pendingOnly && d == parley.Outbound {
			continue
		}
		invs, err := o.node.Store.Invitations(ctx, d)
		if err != nil {
			return err
		}
		all = append(all, invs...)
	}
	out := []invitationJSON{}
	now := o.node.Now()
	for _, inv := range all {
		status := inv.Status
		if status == parley.InvitePending && !now.Before(inv.ExpiresAt) {
			status = parley.InviteExpired
		}
		if pendingOnly && status != parley.InvitePending {
			continue
		}
		j := invitationJSON{ID: inv.ID.String(), Direction: string(inv.Direction), Status: status, PeerURL: inv.PeerURL,
			Purpose: inv.Purpose, Attempts: inv.Attempts, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt, EndedAt: optTime(inv.EndedAt)}
		if len(inv.Identity) > 0 {
			if f, _, err := parley.ParseIdentityFile(inv.Identity); err == nil {
				j.PeerName, j.Fingerprint = f.Name, f.Fingerprint
			}
		}
		if inv.Status == parley.InviteAccepted {
			j.Fingerprint = inv.Peer.String()
			j.SafetyNumber = envelope.SafetyNumber(o.node.Identity.Fingerprint(), inv.Peer)
			if p, err := o.node.Store.PeerByFingerprint(ctx, inv.Peer); err == nil {
				j.PeerName = p.Name
			}
		}
		out = append(out, j)
	}
	if *asJSON {
		return printJSON(c.stdout, map[string]any{"invitations": out})
	}
	if len(out) == 0 {
		fmt.Fprintln(c.stdout, "No invitations.")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDIRECTION\tSTATUS\tPEER\tURL\tPURPOSE\tEXPIRES")
	for _, j := range out {
		peer := j.PeerName
		if j.Status == parley.InvitePending && j.Direction == "in" {
			peer += " (unverified)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", j.ID, j.Direction, j.Status, peer, j.PeerURL, j.Purpose, j.ExpiresAt.Local().Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

func cmdContactAnswer(ctx context.Context, c *cli, args []string, accept bool) error {
	name, synopsis := "contact decline", "contact decline ID [--dir DIR]"
	if accept {
		name, synopsis = "contact accept", "contact accept ID --secret-file F [--answers-normaliser default|none] [--dir DIR] [--json]"
	}
	fs := newFlags(c, name, synopsis)
	dir := dirFlag(fs)
	var secretFile, normaliser *string
	if accept {
		secretFile = fs.String("secret-file", "", "file with the answers agreed out of band, one per line (required)")
		normaliser = fs.String("answers-normaliser", "default", "default or none (must match the inviting side)")
	}
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one invitation id (see `parley contact pending`)")
	}
	id, err := envelope.ParseID(pos[0])
	if err != nil {
		return usagef("%q is not an invitation id (32 hex digits)", pos[0])
	}
	var secret []byte
	if accept {
		if secret, err = readSecret(*secretFile, *normaliser, c.stderr); err != nil {
			return err
		}
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	t := federation.ContactTransport{C: federation.NewClient(o.cfg.HTTPTimeout)}
	if !accept {
		if err := o.node.DeclineInvite(ctx, id, t); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c.stdout, map[string]any{"id": id.String(), "status": parley.InviteDeclined})
		}
		fmt.Fprintf(c.stdout, "Invitation %s declined; only a record that it was declined is kept.\n", id)
		return nil
	}
	p, err := o.node.AcceptInvite(ctx, id, secret, parley.ExportIdentity(o.node.Identity, o.cfg.Name, o.cfg.PublicURL), t)
	if err != nil {
		return err
	}
	sn := envelope.SafetyNumber(o.node.Identity.Fingerprint(), p.Fingerprint())
	if *asJSON {
		return printJSON(c.stdout, map[string]any{"id": id.String(), "status": parley.InviteAccepted, "peer": p.Name, "url": p.URL,
			"purpose": p.Purpose, "fingerprint": p.Fingerprint().String(), "safety_number": sn})
	}
	fmt.Fprintf(c.stdout, "Both sides proved they know the secret. Pinned peer %q at %s (purpose %s).\n", p.Name, p.URL, p.Purpose)
	fmt.Fprintf(c.stdout, "Fingerprint:   %s\nSafety number: %s\n", p.Fingerprint(), sn)
	return nil
}
