package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/web"
)

const userUsage = `Usage: parley user add NAME --role analyst|supervisor|admin --password-file F [--dir DIR] [--json]
       parley user list [--dir DIR] [--json]
       parley user remove NAME [--dir DIR]

Accounts of the web UI (web_listen; docs/web.md). Supervisors and admins
also sign in with a TOTP code: add prints the otpauth:// URL to load into
an authenticator app, once.`

func cmdUser(ctx context.Context, c *cli, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "add":
			return cmdUserAdd(ctx, c, args[1:])
		case "list":
			return cmdUserList(ctx, c, args[1:])
		case "remove":
			return cmdUserRemove(ctx, c, args[1:])
		case "-h", "--help", "help":
			fmt.Fprintln(c.stderr, userUsage)
			return nil
		}
	}
	return usagef("want `parley user add|list|remove`")
}

func cmdUserAdd(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "user add", "user add NAME --role analyst|supervisor|admin --password-file F [--dir DIR] [--json]")
	dir := dirFlag(fs)
	role := fs.String("role", "", "analyst, supervisor or admin")
	pwFile := fs.String("password-file", "", "file whose first line is the user's password (- reads standard input)")
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
	if err := parley.ValidRole(*role); err != nil {
		return usagef("--role: %v", err)
	}
	if *pwFile == "" {
		return usagef("give --password-file F (- reads standard input)")
	}
	pw, err := readPasswordFile(c, *pwFile)
	if err != nil {
		return fmt.Errorf("reading --password-file: %w", err)
	}
	if len(pw) < web.MinPasswordBytes {
		return fmt.Errorf("the password in %s is %d bytes; use at least %d", *pwFile, len(pw), web.MinPasswordBytes)
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	u := parley.WebUser{Name: pos[0], Role: *role, Password: web.HashPassword(pw, web.DefaultParams), CreatedAt: o.node.Now()}
	var otpURL string
	if parley.RoleRank(u.Role) >= parley.RoleRank(parley.RoleSupervisor) {
		if u.TOTPSecret, otpURL, err = web.NewTOTP("Parley "+o.cfg.Name, u.Name); err != nil {
			return err
		}
	}
	if err := o.st.AddWebUser(ctx, u); err != nil {
		if errors.Is(err, parley.ErrExists) {
			return fmt.Errorf("a web user named %s exists; remove it first with `parley user remove %s`", u.Name, u.Name)
		}
		return err
	}
	if *asJSON {
		out := map[string]any{"name": u.Name, "role": u.Role}
		if otpURL != "" {
			out["otpauth_url"] = otpURL
		}
		return printJSON(c.stdout, out)
	}
	fmt.Fprintf(c.stdout, "added web user %s (%s)\n", u.Name, u.Role)
	if otpURL != "" {
		fmt.Fprintf(c.stdout, "second factor (shown once; load it into an authenticator app):\n%s\n", otpURL)
	}
	return nil
}

func cmdUserList(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "user list", "user list [--dir DIR] [--json]")
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
	us, err := o.st.WebUsers(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			Name    string    `json:"name"`
			Role    string    `json:"role"`
			TOTP    bool      `json:"totp"`
			Created time.Time `json:"created_at"`
		}
		rows := []row{}
		for _, u := range us {
			rows = append(rows, row{u.Name, u.Role, u.TOTPSecret != "", u.CreatedAt})
		}
		return printJSON(c.stdout, map[string]any{"users": rows})
	}
	if len(us) == 0 {
		fmt.Fprintln(c.stdout, "no web users (add one with `parley user add`)")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tSECOND FACTOR\tCREATED")
	for _, u := range us {
		f := "none"
		if u.TOTPSecret != "" {
			f = "totp"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, f, u.CreatedAt.Format(time.RFC3339))
	}
	return tw.Flush()
}

func cmdUserRemove(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "user remove", "user remove NAME [--dir DIR]")
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
	if err := o.st.RemoveWebUser(ctx, pos[0]); errors.Is(err, parley.ErrNotFound) {
		return fmt.Errorf("no web user named %s (see `parley user list`)", pos[0])
	} else if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "removed web user %s and ended their sessions\n", strings.TrimSpace(pos[0]))
	return nil
}
