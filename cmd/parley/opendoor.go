package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/opendoorcrypto"
	"github.com/parley-dev/parley/internal/parley"
)

// cmdOpenDoor is `parley opendoor keygen|list|read|reply|delete|purge`: the
// staff side of the open door (docs/opendoor.md).
func cmdOpenDoor(ctx context.Context, c *cli, args []string) error {
	subs := map[string]func(context.Context, *cli, []string) error{
		"keygen": cmdOpenDoorKeygen, "list": cmdOpenDoorList, "read": cmdOpenDoorRead,
		"reply": cmdOpenDoorReply, "delete": cmdOpenDoorDelete, "purge": cmdOpenDoorPurge,
	}
	if len(args) == 0 {
		return usagef("opendoor needs a command: keygen, list, read, reply, delete or purge")
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(c.stderr, `Usage: parley opendoor COMMAND [flags]

The open door is the anonymous intake (docs/opendoor.md). Commands:
  keygen --out FILE      make the open-door key pair: the private key to FILE (keep it offline),
                         the public key into the data directory (opendoor_key)
  list                   list submissions and replies: id, date, kind, visitor
  read ID --key FILE     decrypt an item with the private key (--out DIR saves its files)
  reply ID --text T      reply to the visitor who sent item ID (only they can read it)
  delete ID...           destroy items: their data keys are deleted, so nothing can decrypt them
  purge                  destroy what is older than opendoor_retention now (serve does it hourly)
`)
		return flag.ErrHelp
	}
	f, ok := subs[args[0]]
	if !ok {
		return usagef("unknown opendoor command %q (keygen, list, read, reply, delete, purge)", args[0])
	}
	return f(ctx, c, args[1:])
}

// openDoorKeyPath is where the node's open-door public key lives.
func openDoorKeyPath(cfg *Config) string {
	if filepath.IsAbs(cfg.OpenDoorKey) {
		return cfg.OpenDoorKey
	}
	return filepath.Join(cfg.Dir, cfg.OpenDoorKey)
}

// loadOpenDoorKey reads the node's open-door public key.
func loadOpenDoorKey(cfg *Config) (*opendoorcrypto.PublicKey, error) {
	path := openDoorKeyPath(cfg)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no open-door key at %s (hint: `parley opendoor keygen --dir %s --out opendoor.key` makes one; keep the private key offline)", path, cfg.Dir)
	} else if err != nil {
		return nil, err
	}
	k, err := opendoorcrypto.ParsePublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

func cmdOpenDoorKeygen(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "opendoor keygen", "opendoor keygen --out FILE [--dir DIR]")
	dir := dirFlag(fs)
	out := fs.String("out", "", "where to write the private key (mode 0600; keep it offline)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *out == "" {
		return usagef("--out FILE is required: where the private key goes (a removable disk, say)")
	}
	cfg, err := LoadConfig(*dir)
	if err != nil {
		return err
	}
	pubPath := openDoorKeyPath(cfg)
	if _, err := os.Stat(pubPath); err == nil {
		return fmt.Errorf("%s already holds an open-door key; refusing to replace it (submissions sealed to it need its private key: move it away first if you really mean to)", pubPath)
	}
	k, err := opendoorcrypto.GenerateKey()
	if err != nil {
		return err
	}
	priv, err := opendoorcrypto.MarshalPrivateKey(k)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing the private key: %w (it is never overwritten)", err)
	}
	if _, err := f.Write(priv); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(pubPath, opendoorcrypto.MarshalPublicKey(k.Public()), 0o644); err != nil {
		return fmt.Errorf("writing the public key: %w", err)
	}
	fmt.Fprintf(c.stdout, "Open-door key %s\nPrivate key: %s (mode 0600) — keep it offline; whoever holds it reads every submission.\nPublic key:  %s\n", k.Public().ID(), *out, pubPath)
	fmt.Fprintf(c.stdout, "Next: set opendoor_listen in %s and run `parley serve`.\n", filepath.Join(cfg.Dir, ConfigFile))
	return nil
}

type doorItemJSON struct {
	ID      string `json:"id"`
	Date    string `json:"date"`
	Kind    string `json:"kind"`
	Visitor string `json:"visitor"`
	Size    int    `json:"size"`
}

func itemJSON(it parley.DoorItem) doorItemJSON {
	return doorItemJSON{ID: it.ID.String(), Date: it.Created.Format("2006-01-02"), Kind: string(it.Kind), Visitor: it.Visitor.Short(), Size: it.Size}
}

func cmdOpenDoorList(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "opendoor list", "opendoor list [--kind submission|reply] [--dir DIR] [--json]")
	dir := dirFlag(fs)
	kind := fs.String("kind", "", "only submissions or only replies")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if k := opendoorcrypto.Kind(*kind); k != "" && !k.Valid() {
		return usagef("--kind is submission or reply, not %q", *kind)
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	items, err := o.node.Store.DoorItems(ctx, parley.DoorFilter{Kind: opendoorcrypto.Kind(*kind)})
	if err != nil {
		return err
	}
	if *asJSON {
		out := struct {
			Items []doorItemJSON `json:"items"`
		}{Items: []doorItemJSON{}}
		for _, it := range items {
			out.Items = append(out.Items, itemJSON(it))
		}
		return printJSON(c.stdout, out)
	}
	if len(items) == 0 {
		fmt.Fprintln(c.stdout, "The open door holds nothing.")
		return nil
	}
	fmt.Fprintf(c.stdout, "%-32s  %-10s  %-10s  %-8s  %s\n", "ID", "DATE", "KIND", "VISITOR", "SIZE")
	for _, it := range items {
		fmt.Fprintf(c.stdout, "%-32s  %-10s  %-10s  %-8s  %d\n", it.ID, it.Created.Format("2006-01-02"), it.Kind, it.Visitor.Short(), it.Size)
	}
	return nil
}

func parseItemID(s string) (opendoorcrypto.ItemID, error) {
	id, err := opendoorcrypto.ParseItemID(s)
	if err != nil {
		return id, usagef("%q is not an open-door item id (32 hex digits, as printed by `parley opendoor list`)", s)
	}
	return id, nil
}

// readPrivateKey reads the open-door private key file and refuses one that
// others can read.
func readPrivateKey(path string) (*opendoorcrypto.PrivateKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open-door private key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("open-door private key %s is readable by others (mode %04o); fix it with `chmod 600 %s`", path, st.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := opendoorcrypto.ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

func cmdOpenDoorRead(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "opendoor read", "opendoor read ID --key FILE [--out DIR] [--dir DIR] [--json]")
	dir := dirFlag(fs)
	keyFile := fs.String("key", "", "the open-door private key file (from keygen --out)")
	outDir := fs.String("out", "", "save the item's files into this directory (mode 0600; never overwrites)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("read takes one item id")
	}
	if *keyFile == "" {
		return usagef("--key FILE is required: the open-door private key")
	}
	id, err := parseItemID(pos[0])
	if err != nil {
		return err
	}
	k, err := readPrivateKey(*keyFile)
	if err != nil {
		return err
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	it, content, err := parley.OpenDoorItem(ctx, o.node.Store, k, id)
	switch {
	case errors.Is(err, parley.ErrNotFound):
		return fmt.Errorf("no open-door item %s (deleted items cannot be read: their key is destroyed)", id)
	case errors.Is(err, opendoorcrypto.ErrWrongKey):
		kid, _ := opendoorcrypto.WrappedKeyID(it.OrgKey)
		return fmt.Errorf("item %s was sealed to open-door key %s, not to %s (%s)", id, kid, k.Public().ID(), *keyFile)
	case err != nil:
		return fmt.Errorf("item %s: %w", id, err)
	}
	type fileJSON struct {
		Name  string `json:"name"`
		Type  string `json:"type"`
		Size  int    `json:"size"`
		Saved string `json:"saved,omitempty"`
	}
	out := struct {
		doorItemJSON
		Text  string     `json:"text"`
		Files []fileJSON `json:"files"`
	}{doorItemJSON: itemJSON(it), Text: content.Text, Files: []fileJSON{}}
	if *outDir != "" && len(content.Files) > 0 {
		if err := os.MkdirAll(*outDir, 0o700); err != nil {
			return err
		}
	}
	for i, f := range content.Files {
		fj := fileJSON{Name: f.Name, Type: f.Type, Size: len(f.Data)}
		if *outDir != "" {
			// The visitor chose the name: keep only a safe base, numbered.
			name := strconv.Itoa(i+1) + "-" + safeFileName(f.Name)
			path := filepath.Join(*outDir, name)
			fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return fmt.Errorf("saving file %d: %w", i+1, err)
			}
			_, err = fh.Write(f.Data)
			if cerr := fh.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			fj.Saved = path
		}
		out.Files = append(out.Files, fj)
	}
	if *asJSON {
		return printJSON(c.stdout, out)
	}
	fmt.Fprintf(c.stdout, "Item:    %s\nDate:    %s\nKind:    %s\nVisitor: %s\n\n%s\n", it.ID, out.Date, it.Kind, out.Visitor, content.Text)
	if len(out.Files) > 0 {
		fmt.Fprintln(c.stdout)
	}
	for _, f := range out.Files {
		fmt.Fprintf(c.stdout, "File: %q (%s, %d bytes)", f.Name, f.Type, f.Size)
		if f.Saved != "" {
			fmt.Fprintf(c.stdout, " saved to %s", f.Saved)
		}
		fmt.Fprintln(c.stdout)
	}
	if len(out.Files) > 0 && *outDir == "" {
		fmt.Fprintln(c.stdout, "(--out DIR saves the files; open them on a machine that is not connected, as they may carry malware)")
	}
	return nil
}

// safeFileName keeps letters, digits, dots, dashes and underscores of a
// visitor-supplied name.
func safeFileName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, filepath.Base(s))
	s = strings.TrimLeft(s, ".")
	if s == "" {
		s = "file"
	}
	return s[:min(len(s), 100)]
}

func cmdOpenDoorReply(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "opendoor reply", "opendoor reply ID (--text T | --file F) [--dir DIR] [--json]")
	dir := dirFlag(fs)
	text := fs.String("text", "", "the reply")
	file := fs.String("file", "", "read the reply from this file (- for standard input)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("reply takes one item id: the visitor's submission to answer")
	}
	id, err := parseItemID(pos[0])
	if err != nil {
		return err
	}
	if (*text == "") == (*file == "") {
		return usagef("give the reply with --text or --file")
	}
	if *file != "" {
		var b []byte
		if *file == "-" {
			b, err = io.ReadAll(io.LimitReader(c.stdin, parley.MaxDoorReplyBytes+1))
		} else {
			b, err = os.ReadFile(*file)
		}
		if err != nil {
			return err
		}
		*text = string(b)
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	key, err := loadOpenDoorKey(o.cfg)
	if err != nil {
		return err
	}
	d := &parley.OpenDoor{Store: o.node.Store, Key: key, Clock: o.node.Clock}
	it, err := d.Reply(ctx, id, *text)
	if errors.Is(err, parley.ErrNotFound) {
		return fmt.Errorf("no open-door item %s to reply to (see `parley opendoor list`)", id)
	} else if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c.stdout, itemJSON(it))
	}
	fmt.Fprintln(c.stdout, it.ID)
	return nil
}

func cmdOpenDoorDelete(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "opendoor delete", "opendoor delete ID... [--dir DIR]")
	dir := dirFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("delete takes one or more item ids")
	}
	var ids []opendoorcrypto.ItemID
	for _, s := range pos {
		id, err := parseItemID(s)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	for _, id := range ids {
		if err := o.node.Store.DeleteDoorItem(ctx, id); errors.Is(err, parley.ErrNotFound) {
			return fmt.Errorf("no open-door item %s (already deleted?)", id)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "deleted %s: its data key is destroyed\n", id)
	}
	return nil
}

func cmdOpenDoorPurge(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "opendoor purge", "opendoor purge [--dir DIR] [--opendoor-retention 90d]")
	dir := dirFlag(fs)
	apply := configFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	o, err := openNode(ctx, *dir, nil, apply)
	if err != nil {
		return err
	}
	defer o.Close()
	d := &parley.OpenDoor{Store: o.node.Store, Clock: o.node.Clock}
	items, visitors, err := d.Purge(ctx, o.cfg.OpenDoorRetention)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "destroyed %d item(s) and %d visitor(s) older than %d days\n", items, visitors, o.cfg.OpenDoorRetention/(24*time.Hour))
	return nil
}
