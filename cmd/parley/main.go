// Command parley runs and operates a Parley node: a secure, accountable
// back-channel between organisations that do not trust each other.
//
// Run `parley help` for the commands; docs/ has the protocol and operations
// guides.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	os.Exit(code)
}

// cli carries a command's standard streams, so tests can run commands in
// process and read exactly what a user would see.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// usageError is a bad invocation: exit status 2 and a hint.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, c *cli, args []string) error
}

func commands() []command {
	return []command{
		{"init", "create a node: data directory, identity, configuration, database", cmdInit},
		{"identity", "identity export: write this node's public identity file", cmdIdentity},
		{"contact", "contact invite|pending|list|accept|decline: first contact over a shared secret", cmdContact},
		{"peer", "peer add FILE | list | set: pin a peer from its identity file (the expert path)", cmdPeer},
		{"serve", "run the node: federation API, delivery workers, /healthz, /metrics", cmdServe},
		{"send", "seal and queue a letter, warning or request to a peer; prints the message id", cmdSend},
		{"record", "record person|financing|source: build STIX records for --records", cmdRecord},
		{"respond", "respond ID: answer a received warning or request", cmdRespond},
		{"withdraw", "withdraw ID: withdraw a warning or request you sent", cmdWithdraw},
		{"board", "the unanswered board: open warnings and requests both ways, time left or overdue", cmdBoard},
		{"stats", "per partner and direction: warnings, requests, answered in time, time to answer", cmdStats},
		{"watchlist", "watchlist import FILE | list | match NAME: the local list of persons of interest", cmdWatchlist},
		{"hits", "received persons who match the watchlist (local only, never sent)", cmdHits},
		{"proof", "proof --message ID: a bundle that proves one message (and its receipts) to a third party", cmdProof},
		{"verify", "verify FILE | --store DIR: check a proof or evidence offline, or audit a store's transcripts", cmdVerify},
		{"evidence", "evidence list | export ID: checkpoints a peer signed inconsistently, kept as proof", cmdEvidence},
		{"inbox", "list received messages", cmdInbox},
		{"show", "show a message (marks it read and sends the read receipt)", cmdShow},
		{"status", "peers, hotline liveness, queue depth, last delivery, last error", cmdStatus},
		{"hotline", "hotline report --peer P: availability, longest outage, round trip per day", cmdHotline},
		{"opendoor", "opendoor keygen|list|read|reply|delete|purge: the anonymous intake's staff side", cmdOpenDoor},
		{"taxii", "taxii user add|list|remove | pull URL: TAXII 2.1 access for your tools, and pulling from other servers", cmdTAXII},
		{"user", "user add|list|remove: accounts of the web UI (analyst, supervisor, admin)", cmdUser},
		{"migrate", "apply pending schema migrations to the node's store", cmdMigrate},
		{"store", "store copy --from SPEC --to SPEC: move a node's data (e.g. SQLite to PostgreSQL)", cmdStore},
		{"demo", "two nodes on loopback play the whole story", cmdDemo},
		{"bench", "bench exchange | match | transcript: measure delivery, person matching, or the transcripts", cmdBench},
	}
}

func run(ctx context.Context, args []string, c *cli) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(c.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, cmd := range commands() {
		if cmd.name == args[0] {
			err := cmd.run(ctx, c, args[1:])
			if err == nil {
				return 0
			}
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			var ue usageError
			if errors.As(err, &ue) {
				fmt.Fprintf(c.stderr, "parley %s: %s\n(run `parley %s --help` for usage)\n", cmd.name, ue.msg, cmd.name)
				return 2
			}
			fmt.Fprintf(c.stderr, "parley %s: %v\n", cmd.name, err)
			return 1
		}
	}
	fmt.Fprintf(c.stderr, "parley: unknown command %q (run `parley help`)\n", args[0])
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: parley COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every command takes --dir DIR (default $PARLEY_DIR, else ./parley-data);")
	fmt.Fprintln(w, "commands that print data take --json. Run `parley COMMAND --help` for details.")
}

// newFlags returns a flag set whose errors are returned, not printed: run
// prints them once with a hint. --help prints the usage to stderr.
func newFlags(c *cli, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("parley "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: parley %s\n\nFlags:\n", synopsis)
		fs.SetOutput(c.stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args, allowing flags after positional arguments, and
// turns flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func dirFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("PARLEY_DIR")
	if def == "" {
		def = "parley-data"
	}
	return fs.String("dir", def, "data directory ($PARLEY_DIR)")
}

const keyFileName = "identity.key"

// opened is a node opened by a command: its configuration, identity and store.
type opened struct {
	cfg  *Config
	node *parley.Node
	st   *store.DB
}

func (o *opened) Close() error { return o.st.Close() }

// openNode loads the configuration, the identity and the store of dir.
func openNode(ctx context.Context, dir string, log *slog.Logger, apply func(*Config) error) (*opened, error) {
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, err
	}
	if apply != nil {
		if err := apply(cfg); err != nil {
			return nil, usageError{err.Error()}
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	id, err := parley.ReadKeyFile(filepath.Join(dir, keyFileName))
	if err != nil {
		return nil, fmt.Errorf("loading identity: %w", err)
	}
	st, err := store.Open(ctx, cfg.Store, cfg.Dir)
	if err != nil {
		return nil, err
	}
	n := parley.NewNode(cfg.Name, id, st, log)
	n.Limits = parley.Limits{MaxEnvelopeBytes: cfg.MaxEnvelopeBytes, MaxAttachmentBytes: cfg.MaxAttachmentBytes}
	n.Window = uint64(cfg.SequenceWindow)
	n.Contact = parley.ContactLimits{MaxAttempts: cfg.ContactMaxAttempts}
	if cfg.SocialNames != "" {
		if n.Screen, err = loadSocialNames(cfg); err != nil {
			st.Close()
			return nil, err
		}
	}
	return &opened{cfg: cfg, node: n, st: st}, nil
}

func printJSON(w io.Writer, v any) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(v)
}

func peerByName(ctx context.Context, n *parley.Node, s string) (parley.Peer, error) {
	p, err := n.Store.PeerByName(ctx, s)
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, parley.ErrNotFound) {
		return p, err
	}
	peers, err := n.Store.Peers(ctx)
	if err != nil {
		return p, err
	}
	var names []string
	for _, q := range peers {
		names = append(names, q.Name)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return p, fmt.Errorf("no peer named %q: this node has no peers yet (hint: `parley peer add FILE`)", s)
	}
	return p, fmt.Errorf("no peer named %q (peers: %s)", s, strings.Join(names, ", "))
}

func parseMessageID(s string) (envelope.ID, error) {
	id, err := envelope.ParseID(s)
	if err != nil {
		return id, usagef("%q is not a message id (32 hex digits, as printed by `parley send` and `parley inbox`)", s)
	}
	return id, nil
}
