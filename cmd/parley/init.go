package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/store"
)

func cmdInit(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "init", "init --dir DIR --name NAME [--listen ADDR] [--public-url URL] [--json]")
	dir := dirFlag(fs)
	name := fs.String("name", "", "this node's name, shown to peers (required)")
	listen := fs.String("listen", "127.0.0.1:7420", "federation listener address")
	publicURL := fs.String("public-url", "", "URL peers use to reach this node (default http://<listen>)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *name == "" {
		return usagef("--name is required (the name peers will see, e.g. --name north)")
	}
	if err := parley.ValidName(*name); err != nil {
		return usageError{err.Error()}
	}
	if *publicURL != "" {
		if err := parley.ValidURL(*publicURL); err != nil {
			return usageError{"--public-url: " + err.Error()}
		}
	}
	res, err := initNode(ctx, *dir, *name, *listen, *publicURL)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c.stdout, res)
	}
	fmt.Fprintf(c.stdout, "Created node %q in %s\n", res.Name, res.Dir)
	fmt.Fprintf(c.stdout, "Fingerprint: %s\n", res.Fingerprint)
	fmt.Fprintf(c.stdout, "Next: `parley identity export --dir %s -o %s.identity` and give that file to your peer.\n", res.Dir, res.Name)
	return nil
}

type initResult struct {
	Dir         string `json:"dir"`
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
	PublicURL   string `json:"public_url"`
}

// initNode creates the data directory, identity, configuration and database.
// It refuses to touch a directory that already holds an identity.
func initNode(ctx context.Context, dir, name, listen, publicURL string) (*initResult, error) {
	keyPath := filepath.Join(dir, keyFileName)
	if _, err := os.Stat(keyPath); err == nil {
		return nil, fmt.Errorf("%s already holds an identity; refusing to overwrite it (choose another --dir)", dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	id, err := envelope.GenerateIdentity()
	if err != nil {
		return nil, err
	}
	if err := parley.WriteKeyFile(keyPath, id); err != nil {
		return nil, fmt.Errorf("writing identity: %w", err)
	}
	cfgPath := filepath.Join(dir, ConfigFile)
	if _, err := os.Stat(cfgPath); errors.Is(err, os.ErrNotExist) {
		if err := writeDefaultConfig(cfgPath, name, listen, publicURL); err != nil {
			return nil, err
		}
	}
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.Store, cfg.Dir)
	if err != nil {
		return nil, err
	}
	st.Close()
	abs, _ := filepath.Abs(dir)
	return &initResult{Dir: abs, Name: cfg.Name, Fingerprint: id.Fingerprint().String(), PublicURL: cfg.PublicURL}, nil
}
