package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/stix"
	"github.com/parley-dev/parley/internal/taxii"
)

const taxiiUsage = `Usage: parley taxii user add NAME (--password-file F | --token)... [--read C,C|*] [--write C,C|*] [--max-tlp LEVEL]
       parley taxii user list [--json]
       parley taxii user remove NAME
       parley taxii pull URL --collection ID --to PEER [--user NAME --password-file F | --token-file F] [--limit N] [--batch N] [--json]

Collections are named PEER-in (what PEER sent; read-only) and PEER-out (what is sent to PEER);
* is every collection. See docs/taxii.md.`

func cmdTAXII(ctx context.Context, c *cli, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "user":
			if len(args) > 1 {
				switch args[1] {
				case "add":
					return cmdTAXIIUserAdd(ctx, c, args[2:])
				case "list":
					return cmdTAXIIUserList(ctx, c, args[2:])
				case "remove":
					return cmdTAXIIUserRemove(ctx, c, args[2:])
				}
			}
			return usagef("want `parley taxii user add|list|remove`")
		case "pull":
			return cmdTAXIIPull(ctx, c, args[1:])
		case "-h", "--help", "help":
			fmt.Fprintln(c.stderr, taxiiUsage)
			return nil
		}
	}
	return usagef("want `parley taxii user add|list|remove` or `parley taxii pull URL`")
}

// minPasswordBytes is the shortest TAXII password accepted.
const minPasswordBytes = 12

// readPasswordFile reads a secret from the first line of a file ("-":
// standard input).
func readPasswordFile(c *cli, path string) (string, error) {
	var r io.Reader
	if path == "-" {
		r = c.stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimRight(line, "\r"), nil
}

// parseRights parses --read or --write: collection aliases or *.
func parseRights(flag, s string, write bool) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	for r := range strings.SplitSeq(s, ",") {
		r = strings.TrimSpace(r)
		if r == "*" {
			return []string{"*"}, nil
		}
		name, dir, ok := strings.Cut(r, "-")
		for ok && strings.Contains(dir, "-") { // peer names may hold dashes
			var more string
			more, dir, _ = strings.Cut(dir, "-")
			name += "-" + more
		}
		if !ok || parley.ValidName(name) != nil || (dir != "in" && dir != "out") {
			return nil, usagef("%s: %q is not a collection (PEER-in or PEER-out) or *", flag, r)
		}
		if write && dir == "in" {
			return nil, usagef("%s: %s is read-only (it holds what %s sent); write to %s-out", flag, r, name, name)
		}
		out = append(out, r)
	}
	return out, nil
}

func cmdTAXIIUserAdd(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "taxii user add", "taxii user add NAME (--password-file F | --token)... [--read C,C|*] [--write C,C|*] [--max-tlp LEVEL] [--dir DIR] [--json]")
	dir := dirFlag(fs)
	pwFile := fs.String("password-file", "", "file whose first line is the user's password for HTTP Basic (- reads standard input)")
	token := fs.Bool("token", false, "issue an API token for Authorization: Bearer (printed once)")
	read := fs.String("read", "", "collections the user may read: PEER-in, PEER-out, comma-separated, or *")
	write := fs.String("write", "", "collections the user may add objects to (sent to the peer): PEER-out, comma-separated, or *")
	maxTLP := fs.String("max-tlp", "amber+strict", "the highest TLP the user is shown: clear, green, amber, amber+strict or red")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one user NAME")
	}
	if err := parley.ValidName(pos[0]); err != nil {
		return usagef("%v", err)
	}
	if *pwFile == "" && !*token {
		return usagef("give --password-file F, --token, or both")
	}
	u := parley.TAXIIUser{Name: pos[0]}
	if u.Read, err = parseRights("--read", *read, false); err != nil {
		return err
	}
	if u.Write, err = parseRights("--write", *write, true); err != nil {
		return err
	}
	if len(u.Read) == 0 && len(u.Write) == 0 {
		return usagef("give the user --read or --write collections (PEER-in, PEER-out or *)")
	}
	if u.MaxTLP, err = stix.ParseTLP(*maxTLP); err != nil || u.MaxTLP == stix.TLPNone {
		return usagef("--max-tlp: want clear, green, amber, amber+strict or red")
	}
	if *pwFile != "" {
		pw, err := readPasswordFile(c, *pwFile)
		if err != nil {
			return fmt.Errorf("reading --password-file: %w", err)
		}
		if len(pw) < minPasswordBytes {
			return fmt.Errorf("the password in %s is %d bytes; use at least %d", *pwFile, len(pw), minPasswordBytes)
		}
		u.Password = taxii.HashSecret(pw, taxii.DefaultParams)
	}
	var tok string
	if *token {
		var id string
		tok, id = taxii.NewToken()
		u.TokenID = id
		u.TokenHash = taxii.HashSecret(strings.TrimPrefix(tok, "taxii_"+id+"_"), taxii.DefaultParams)
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	u.CreatedAt = o.node.Now()
	if err := o.st.AddTAXIIUser(ctx, u); err != nil {
		return err
	}
	if *asJSON {
		out := map[string]any{"name": u.Name, "read": u.Read, "write": u.Write, "max_tlp": u.MaxTLP.String(), "password": u.Password != ""}
		if tok != "" {
			out["token"] = tok
		}
		return printJSON(c.stdout, out)
	}
	fmt.Fprintf(c.stdout, "added TAXII user %s (read: %s; write: %s; up to TLP:%s)\n", u.Name, rightsText(u.Read), rightsText(u.Write), strings.ToUpper(u.MaxTLP.String()))
	if tok != "" {
		fmt.Fprintf(c.stdout, "API token (shown once; send it as Authorization: Bearer TOKEN):\n%s\n", tok)
	}
	return nil
}

func rightsText(rs []string) string {
	if len(rs) == 0 {
		return "none"
	}
	return strings.Join(rs, ",")
}

func cmdTAXIIUserList(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "taxii user list", "taxii user list [--dir DIR] [--json]")
	dir := dirFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
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
	us, err := o.st.TAXIIUsers(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			Name     string    `json:"name"`
			Read     []string  `json:"read"`
			Write    []string  `json:"write"`
			MaxTLP   string    `json:"max_tlp"`
			Password bool      `json:"password"`
			Token    bool      `json:"token"`
			Created  time.Time `json:"created_at"`
		}
		rows := []row{}
		for _, u := range us {
			rows = append(rows, row{u.Name, orEmpty(u.Read), orEmpty(u.Write), u.MaxTLP.String(), u.Password != "", u.TokenID != "", u.CreatedAt})
		}
		return printJSON(c.stdout, map[string]any{"users": rows})
	}
	if len(us) == 0 {
		fmt.Fprintln(c.stdout, "no TAXII users (add one with `parley taxii user add`)")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tREAD\tWRITE\tMAX TLP\tAUTH\tCREATED")
	for _, u := range us {
		var auth []string
		if u.Password != "" {
			auth = append(auth, "password")
		}
		if u.TokenID != "" {
			auth = append(auth, "token")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Name, rightsText(u.Read), rightsText(u.Write), strings.ToUpper(u.MaxTLP.String()), strings.Join(auth, "+"), u.CreatedAt.Format(time.DateOnly))
	}
	return tw.Flush()
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func cmdTAXIIUserRemove(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "taxii user remove", "taxii user remove NAME [--dir DIR]")
	dir := dirFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one user NAME")
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	if err := o.st.RemoveTAXIIUser(ctx, pos[0]); err != nil {
		if err == parley.ErrNotFound {
			return fmt.Errorf("no TAXII user named %q (see `parley taxii user list`)", pos[0])
		}
		return err
	}
	fmt.Fprintf(c.stdout, "removed TAXII user %s\n", pos[0])
	return nil
}

func cmdTAXIIPull(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "taxii pull", "taxii pull URL --collection ID --to PEER [--user NAME --password-file F | --token-file F] [--limit N] [--batch N] [--dir DIR] [--json]")
	dir := dirFlag(fs)
	collection := fs.String("collection", "", "the collection's id on the other server (required)")
	to := fs.String("to", "", "the peer the objects are sent to (required)")
	user := fs.String("user", "", "user name for HTTP Basic on the other server")
	pwFile := fs.String("password-file", "", "file whose first line is that user's password (- reads standard input)")
	tokenFile := fs.String("token-file", "", "file whose first line is a bearer token for the other server")
	limit := fs.Int("limit", 1000, "objects asked for per page")
	batch := fs.Int("batch", 500, "most objects per message sent to the peer")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want the URL of the other server's API root")
	}
	if *collection == "" || *to == "" {
		return usagef("--collection and --to are required")
	}
	if (*user == "") != (*pwFile == "") || (*user != "" && *tokenFile != "") {
		return usagef("give --user with --password-file, or --token-file, or neither")
	}
	if *limit < 1 || *batch < 1 || *batch > stix.MaxObjects {
		return usagef("--limit must be positive and --batch 1 to %d", stix.MaxObjects)
	}
	root := pos[0]
	if !strings.HasSuffix(root, "/") {
		root += "/"
	}
	if err := parley.ValidURL(strings.TrimSuffix(root, "/")); err != nil {
		return usagef("%v", err)
	}
	cl := &taxii.Client{APIRoot: root, HTTP: &http.Client{Timeout: 2 * time.Minute}}
	switch {
	case *user != "":
		pw, err := readPasswordFile(c, *pwFile)
		if err != nil {
			return fmt.Errorf("reading --password-file: %w", err)
		}
		cl.Authorization = "Basic " + base64.StdEncoding.EncodeToString([]byte(*user+":"+pw))
	case *tokenFile != "":
		tok, err := readPasswordFile(c, *tokenFile)
		if err != nil {
			return fmt.Errorf("reading --token-file: %w", err)
		}
		cl.Authorization = "Bearer " + tok
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	peer, err := peerByName(ctx, o.node, *to)
	if err != nil {
		return err
	}
	res, err := pull(ctx, o, cl, *collection, peer, *limit, *batch)
	if *asJSON && err == nil {
		return printJSON(c.stdout, res)
	}
	if res.Objects > 0 || err == nil {
		fmt.Fprintf(c.stdout, "sent %d object(s) from %s in %d message(s) to %s; next pull starts after %s\n",
			res.Objects, *collection, len(res.Messages), peer.Name, orNone(res.Cursor))
	}
	return err
}

func orNone(s string) string {
	if s == "" {
		return "the beginning"
	}
	return s
}

// pullResult is what a pull did.
type pullResult struct {
	Objects  int      `json:"objects"`
	Messages []string `json:"messages"`
	Cursor   string   `json:"cursor"`
}

// pull reads the pages of a collection added after the stored cursor and
// sends their objects to peer in messages of at most batch objects. The
// cursor advances to a page's X-TAXII-Date-Added-Last once its objects are
// queued, so an interrupted pull resumes after the last page it sent (a
// crash between queuing and saving the cursor sends that page again).
func pull(ctx context.Context, o *opened, cl *taxii.Client, collection string, peer parley.Peer, limit, batch int) (pullResult, error) {
	source := cl.APIRoot
	res := pullResult{Messages: []string{}}
	cursor, err := o.st.TAXIICursor(ctx, source, collection, peer.Fingerprint())
	if err != nil {
		return res, err
	}
	res.Cursor = cursor
	def := taxii.Dispatch{Kind: envelope.KindWarning, RespondWithin: o.cfg.TAXIIRespondWithin}
	// added_after stays the same while next is followed: a server's next
	// belongs to the query that returned it.
	after, next := cursor, ""
	for {
		p, err := cl.Objects(ctx, collection, after, next, limit)
		if err != nil {
			return res, err
		}
		for start := 0; start < len(p.Objects); start += batch {
			part := p.Objects[start:min(start+batch, len(p.Objects))]
			m, refused, err := taxii.Send(ctx, o.node, peer.Name, part, def)
			if err != nil {
				return res, err
			}
			if refused != "" {
				return res, fmt.Errorf("objects from %s on: %s (the next pull starts again after %s)", part[0].ID, refused, orNone(res.Cursor))
			}
			res.Objects += len(part)
			res.Messages = append(res.Messages, m.ID.String())
		}
		if p.AddedLast != "" {
			if err := o.st.SetTAXIICursor(ctx, source, collection, peer.Fingerprint(), p.AddedLast, o.node.Now()); err != nil {
				return res, err
			}
			res.Cursor = p.AddedLast
		}
		switch {
		case !p.More:
			return res, nil
		case p.Next != "":
			next = p.Next
		case p.AddedLast != "" && len(p.Objects) > 0:
			after, next = p.AddedLast, ""
		default:
			return res, taxii.ErrNoProgress
		}
	}
}
