package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/stix"
)

func cmdIdentity(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 || args[0] != "export" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(c.stderr, "Usage: parley identity export [--dir DIR] [-o FILE]")
			return nil
		}
		return usagef("want `parley identity export [-o FILE]`")
	}
	fs := newFlags(c, "identity", "identity export [--dir DIR] [-o FILE]")
	dir := dirFlag(fs)
	out := fs.String("o", "-", "write the identity file here (- for stdout)")
	pos, err := parseFlags(fs, args[1:])
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
	b := parley.ExportIdentity(o.node.Identity, o.cfg.Name, o.cfg.PublicURL)
	if *out == "-" {
		_, err := c.stdout.Write(b)
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "Wrote the public identity of %q to %s (fingerprint %s)\n", o.cfg.Name, *out, o.node.Identity.Fingerprint())
	return nil
}

func cmdPeer(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 {
		return usagef("want `parley peer add FILE`, `parley peer list` or `parley peer set NAME --purpose P`")
	}
	switch args[0] {
	case "add":
		return cmdPeerAdd(ctx, c, args[1:])
	case "list":
		return cmdPeerList(ctx, c, args[1:])
	case "set":
		return cmdPeerSet(ctx, c, args[1:])
	case "-h", "--help":
		fmt.Fprintln(c.stderr, "Usage: parley peer add FILE [--name NAME] [--url URL] [--purpose P] [--json]\n       parley peer list [--json]\n       parley peer set NAME --purpose social|liaison|hotline")
		return nil
	}
	return usagef("unknown subcommand %q; want add, list or set", args[0])
}

type peerJSON struct {
	Name         string `json:"name"`
	URL          string `json:"url"`
	Purpose      string `json:"purpose"`
	Fingerprint  string `json:"fingerprint"`
	Channel      string `json:"channel"`
	SafetyNumber string `json:"safety_number"`
	// The rest of the channel policy.
	MaxTLP               string   `json:"max_tlp"`
	RecordKinds          []string `json:"record_kinds"`
	RespondWithinSeconds int64    `json:"respond_within_seconds"`
}

func newPeerJSON(p parley.Peer, safety string) peerJSON {
	kinds := p.Kinds
	if kinds == nil {
		kinds = []string{}
	}
	tlp, within := p.MaxTLP, p.RespondWithin
	if tlp == stix.TLPNone {
		tlp = parley.DefaultMaxTLP
	}
	if within == 0 {
		within = parley.DefaultRespondWithin
	}
	return peerJSON{p.Name, p.URL, p.Purpose, p.Fingerprint().String(), p.Channel.String(), safety, tlp.String(), kinds, int64(within / time.Second)}
}

func cmdPeerAdd(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "peer add", "peer add FILE [--dir DIR] [--name NAME] [--url URL] [--purpose social|liaison|hotline] [--json]")
	dir := dirFlag(fs)
	name := fs.String("name", "", "local name for the peer (default: the name in the file)")
	url := fs.String("url", "", "the peer's URL (default: the URL in the file)")
	purpose := fs.String("purpose", "liaison", "channel purpose: social, liaison or hotline (hotline channels send heartbeats)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one identity file (made by `parley identity export` on the peer)")
	}
	if err := parley.ValidPurpose(*purpose); err != nil {
		return usageError{err.Error()}
	}
	var b []byte
	if pos[0] == "-" {
		b, err = io.ReadAll(io.LimitReader(c.stdin, parley.MaxIdentityFileSize+1))
	} else {
		b, err = readBounded(pos[0], parley.MaxIdentityFileSize)
	}
	if err != nil {
		return err
	}
	f, pub, err := parley.ParseIdentityFile(b)
	if err != nil {
		return err
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	p := parley.Peer{Name: f.Name, URL: f.URL, Purpose: *purpose, Identity: pub, AddedAt: o.node.Now()}
	if *name != "" {
		if err := parley.ValidName(*name); err != nil {
			return usageError{err.Error()}
		}
		p.Name = *name
	}
	if *url != "" {
		if err := parley.ValidURL(*url); err != nil {
			return usageError{err.Error()}
		}
		p.URL = *url
	}
	self := o.node.Identity.Fingerprint()
	if pub.Fingerprint() == self {
		return errors.New("this identity file is this node's own identity")
	}
	p.Channel = parley.ChannelID(self, pub.Fingerprint())
	if err := o.node.Store.AddPeer(ctx, p); err != nil {
		if errors.Is(err, parley.ErrExists) {
			return fmt.Errorf("a peer with the name %q or this fingerprint is already pinned (hint: --name to choose another name)", p.Name)
		}
		return err
	}
	sn := envelope.SafetyNumber(self, pub.Fingerprint())
	if *asJSON {
		return printJSON(c.stdout, newPeerJSON(p, sn))
	}
	fmt.Fprintf(c.stdout, "Pinned peer %q at %s\nFingerprint:   %s\nSafety number: %s\n", p.Name, p.URL, pub.Fingerprint(), sn)
	fmt.Fprintln(c.stdout, "Compare the safety number with your peer over another channel (voice, in person) before you trust it.")
	return nil
}

var errTooLarge = errors.New("file too large")

func readBounded(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", errTooLarge, path, max)
	}
	return b, nil
}

func cmdPeerList(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "peer list", "peer list [--dir DIR] [--json]")
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
	peers, err := o.node.Store.Peers(ctx)
	if err != nil {
		return err
	}
	self := o.node.Identity.Fingerprint()
	out := []peerJSON{}
	for _, p := range peers {
		out = append(out, newPeerJSON(p, envelope.SafetyNumber(self, p.Fingerprint())))
	}
	if *asJSON {
		return printJSON(c.stdout, map[string]any{"peers": out})
	}
	for _, p := range out {
		fmt.Fprintf(c.stdout, "%-16s %-8s %s  %s\n", p.Name, p.Purpose, p.Fingerprint[:16], p.URL)
	}
	return nil
}

func cmdPeerSet(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "peer set", "peer set NAME [--purpose social|liaison|hotline] [--max-tlp LEVEL] [--kinds K,K|any] [--respond-within D] [--dir DIR]")
	dir := dirFlag(fs)
	purpose := fs.String("purpose", "", "channel purpose: social, liaison or hotline")
	maxTLP := fs.String("max-tlp", "", "highest TLP records may carry: clear, green, amber, amber+strict or red")
	kinds := fs.String("kinds", "", "record kinds allowed, comma-separated ("+strings.Join(parley.RecordKinds, ", ")+"), or any")
	within := fs.String("respond-within", "", "default deadline of warnings and requests, e.g. 72h or 3d")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want exactly one peer name")
	}
	if *purpose == "" && *maxTLP == "" && *kinds == "" && *within == "" {
		return usagef("nothing to set: give --purpose, --max-tlp, --kinds or --respond-within")
	}
	// Every flag is checked before the node is opened.
	if *purpose != "" {
		if err := parley.ValidPurpose(*purpose); err != nil {
			return usageError{err.Error()}
		}
	}
	var tlp stix.TLP
	if *maxTLP != "" {
		if tlp, err = stix.ParseTLP(*maxTLP); err != nil {
			return usagef("--max-tlp: %v", err)
		}
	}
	var ks []string
	if *kinds != "" {
		if ks, err = parley.ParseKinds(*kinds); err != nil {
			return usagef("--kinds: %v", err)
		}
	}
	var d time.Duration
	if *within != "" {
		if d, err = parseDays(*within); err != nil {
			return usagef("--respond-within: %v", err)
		}
		if d < parley.MinRespondWithin || d > parley.MaxRespondWithin {
			return usagef("--respond-within must be between %v and %v", parley.MinRespondWithin, parley.MaxRespondWithin)
		}
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	p, err := peerByName(ctx, o.node, pos[0])
	if err != nil {
		return err
	}
	pol := parley.Policy{Purpose: p.Purpose, MaxTLP: p.MaxTLP, Kinds: p.Kinds, RespondWithin: p.RespondWithin}
	if *purpose != "" {
		pol.Purpose = *purpose
	}
	if *maxTLP != "" {
		pol.MaxTLP = tlp
	}
	if *kinds != "" {
		pol.Kinds = ks
	}
	if *within != "" {
		pol.RespondWithin = d
	}
	if err := o.node.Store.SetPolicy(ctx, p.Fingerprint(), pol); err != nil {
		return err
	}
	allowed := "any"
	if len(pol.Kinds) > 0 {
		allowed = strings.Join(pol.Kinds, ",")
	}
	fmt.Fprintf(c.stdout, "The channel with %s: purpose %s, records up to %s, kinds %s, warnings answered within %s.\n",
		p.Name, pol.Purpose, pol.MaxTLP.Label(), allowed, humanDuration(pol.RespondWithin))
	return nil
}
