package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/store"
)

// ConfigFile is the name of the configuration file in the data directory.
const ConfigFile = "parley.conf"

// Config is a node's configuration. Every field can be set in the data
// directory's parley.conf ("key = value" lines), overridden by the
// environment variable PARLEY_<KEY> and by the serve flag --<key>
// (underscores become dashes), in increasing order of precedence.
type Config struct {
	// Dir is the data directory (not a config key: --dir or $PARLEY_DIR).
	Dir string
	// Name is this node's name, shown to peers. Set by init.
	Name string
	// Listen is the federation listener's address. Default 127.0.0.1:7420.
	Listen string
	// PublicURL is the URL peers use to reach this node. Default http://<listen>.
	PublicURL string
	// Store is where data lives: "sqlite:FILE" (relative to Dir) or a
	// PostgreSQL URL "postgres://user:password@host:port/db". Default
	// sqlite:parley.db.
	Store string
	// LogLevel is debug, info, warn or error. Default info.
	LogLevel string
	// LogFormat is text or json. Default text.
	LogFormat string
	// MaxEnvelopeBytes bounds one envelope on the wire. Default 16 MiB.
	MaxEnvelopeBytes int
	// MaxAttachmentBytes bounds the attachments of one message. Default 8 MiB.
	MaxAttachmentBytes int
	// MaxBodyBytes bounds one federation request body. Default 32 MiB.
	MaxBodyBytes int
	// BatchMax is the most envelopes posted in one batch. Default 256.
	BatchMax int
	// BatchBytes bounds the envelope bytes in one batch. Default 4 MiB.
	BatchBytes int
	// SequenceWindow is how far ahead of the next expected sequence number an
	// inbound envelope is held rather than refused. Default 4096.
	SequenceWindow int
	// RetryMin and RetryMax bound the delivery backoff. Default 200ms and 30s.
	RetryMin, RetryMax time.Duration
	// PollInterval is how often workers look for work queued by other
	// processes (such as `parley send`). Default 500ms.
	PollInterval time.Duration
	// HTTPTimeout bounds one request to a peer. Default 30s.
	HTTPTimeout time.Duration
	// ShutdownTimeout bounds graceful shutdown on SIGTERM. Default 10s.
	ShutdownTimeout time.Duration
	// ClaimLease is how long a delivery worker holds the envelopes it
	// claimed when several serve processes share a PostgreSQL store; a dead
	// worker's batch is retried by the others after it. Must exceed
	// http_timeout. Default 60s.
	ClaimLease time.Duration
	// HeartbeatInterval is how often hotline channels are pinged. Default 60s.
	HeartbeatInterval time.Duration
	// HeartbeatDownAfter is how many consecutive missed heartbeats bring a
	// peer down. Default 3.
	HeartbeatDownAfter int
	// HeartbeatAll pings every channel, not only those with purpose hotline.
	HeartbeatAll bool
	// ClockSkewWarn is the skew of a peer's clock that raises a warning. Default 30s.
	ClockSkewWarn time.Duration
	// FlashReadDeadline is how long a flash letter may stay unread by the
	// peer before it escalates. Default 5m.
	FlashReadDeadline time.Duration
	// ContactMaxAttempts is how many failed first-contact handshakes burn
	// an invitation. Default 3.
	ContactMaxAttempts int
	// WebhookURL receives a JSON POST for every alert (peer down or up,
	// unread flash, flash received, clock skew). Default none.
	WebhookURL string
	// WebhookRetries is how many times a failed webhook POST is retried,
	// with doubling delays from 1s. Default 5.
	WebhookRetries int
	// EscalationInterval is how often an overdue warning or request
	// escalates again until it is answered or withdrawn. Default 1h.
	EscalationInterval time.Duration
	// StartAudit is what serve checks of the transcripts before it starts:
	// recent (the last 1,000 entries of each log, the tree's frontier and
	// every checkpoint), full, or off. Default recent.
	StartAudit string
	// CheckpointInterval is how often the transcript logs this node
	// operates are checkpointed and cosigned by the peer, when they grew
	// (also after each delivered batch). Default 30s.
	CheckpointInterval time.Duration
	// SocialNames is a file of personal names (one per line, # comments)
	// that social channels refuse, relative to the data directory. Default
	// none: social channels still refuse phone numbers and e-mail addresses.
	SocialNames string
	// OpenDoorListen is the address of the open door, the anonymous intake
	// (docs/opendoor.md), served on its own listener. Default none: off.
	OpenDoorListen string
	// OpenDoorKey is the open-door public key file written by `parley
	// opendoor keygen`, relative to Dir. Default opendoor.pub.
	OpenDoorKey string
	// OpenDoorRetention is how long open-door items are kept, in whole
	// days; serve destroys older ones every hour. Default 90d.
	OpenDoorRetention time.Duration
	// OpenDoorMaxBytes bounds one open-door submission (message and
	// files). Default 10 MiB.
	OpenDoorMaxBytes int
	// OpenDoorMaxFiles bounds the files of one submission. Default 5.
	OpenDoorMaxFiles int
	// OpenDoorRate bounds codename checks and submissions per minute, for
	// everyone together. Default 60.
	OpenDoorRate int
	// WebListen is the address of the analysts' web UI (docs/web.md),
	// served on its own listener. Default none: off.
	WebListen string
	// WebTLSCert and WebTLSKey are PEM files (relative to the data
	// directory) that make the web UI serve HTTPS, with __Host- Secure
	// cookies. Default none (plain HTTP: keep it on loopback).
	WebTLSCert, WebTLSKey string
	// WebSessionTTL is how long a web UI sign-in lasts. Default 8h.
	WebSessionTTL time.Duration
	// TAXIIListen is the address of the TAXII 2.1 listener (/taxii2/).
	// Default none: no TAXII listener.
	TAXIIListen string
	// TAXIITLSCert and TAXIITLSKey are PEM files (relative to the data
	// directory) that make the TAXII listener serve HTTPS. Default none
	// (plain HTTP: put it on loopback or behind a TLS proxy).
	TAXIITLSCert, TAXIITLSKey string
	// TAXIIRespondWithin is the deadline of the warning that objects
	// posted over TAXII become, when they do not say otherwise with the
	// dispatch extension. Default none: the channel's respond_within.
	TAXIIRespondWithin time.Duration
	// TAXIIMaxContentLength bounds one TAXII POST body. Default 8 MiB.
	TAXIIMaxContentLength int
	// TAXIIPageSize is the most objects in one TAXII response. Default 1000.
	TAXIIPageSize int
	// TAXIIStatusKeep is how long the status of a TAXII POST can be read.
	// Default 168h.
	TAXIIStatusKeep time.Duration
}

type option struct {
	key  string
	help string
	def  string
	ptr  func(c *Config) any
}

var options = []option{
	{"name", "this node's name, shown to peers", "", func(c *Config) any { return &c.Name }},
	{"listen", "federation listener address", "127.0.0.1:7420", func(c *Config) any { return &c.Listen }},
	{"public_url", "URL peers use to reach this node (default http://<listen>)", "", func(c *Config) any { return &c.PublicURL }},
	{"store", `storage: "sqlite:FILE" (relative to the data directory) or "postgres://user:password@host:port/db"`, "sqlite:parley.db", func(c *Config) any { return &c.Store }},
	{"log_level", "debug, info, warn or error", "info", func(c *Config) any { return &c.LogLevel }},
	{"log_format", "text or json", "text", func(c *Config) any { return &c.LogFormat }},
	{"max_envelope_bytes", "largest envelope accepted or sent", "16777216", func(c *Config) any { return &c.MaxEnvelopeBytes }},
	{"max_attachment_bytes", "largest total of attachments in one message", "8388608", func(c *Config) any { return &c.MaxAttachmentBytes }},
	{"max_body_bytes", "largest federation request body", "33554432", func(c *Config) any { return &c.MaxBodyBytes }},
	{"batch_max", "most envelopes in one delivery batch", "256", func(c *Config) any { return &c.BatchMax }},
	{"batch_bytes", "most envelope bytes in one delivery batch", "4194304", func(c *Config) any { return &c.BatchBytes }},
	{"sequence_window", "how far ahead an inbound sequence number may be held", "4096", func(c *Config) any { return &c.SequenceWindow }},
	{"retry_min", "first delivery retry delay", "200ms", func(c *Config) any { return &c.RetryMin }},
	{"retry_max", "longest delivery retry delay", "30s", func(c *Config) any { return &c.RetryMax }},
	{"poll_interval", "how often to look for work queued by other processes", "500ms", func(c *Config) any { return &c.PollInterval }},
	{"http_timeout", "timeout of one request to a peer", "30s", func(c *Config) any { return &c.HTTPTimeout }},
	{"shutdown_timeout", "graceful shutdown limit", "10s", func(c *Config) any { return &c.ShutdownTimeout }},
	{"heartbeat_interval", "how often hotline channels are pinged", "60s", func(c *Config) any { return &c.HeartbeatInterval }},
	{"heartbeat_down_after", "consecutive missed heartbeats before a peer is down", "3", func(c *Config) any { return &c.HeartbeatDownAfter }},
	{"heartbeat_all", "ping every channel, not only hotline ones (true or false)", "false", func(c *Config) any { return &c.HeartbeatAll }},
	{"clock_skew_warn", "peer clock skew that raises a warning", "30s", func(c *Config) any { return &c.ClockSkewWarn }},
	{"flash_read_deadline", "time a flash letter may stay unread before it escalates", "5m", func(c *Config) any { return &c.FlashReadDeadline }},
	{"contact_max_attempts", "failed first-contact handshakes before an invitation burns", "3", func(c *Config) any { return &c.ContactMaxAttempts }},
	{"webhook_url", "URL that receives a JSON POST for every alert (empty: none)", "", func(c *Config) any { return &c.WebhookURL }},
	{"webhook_retries", "retries of a failed webhook POST, with doubling delays from 1s", "5", func(c *Config) any { return &c.WebhookRetries }},
	{"escalation_interval", "how often an overdue warning or request escalates again", "1h", func(c *Config) any { return &c.EscalationInterval }},
	{"start_audit", "transcript audit before serving: recent, full or off (a mismatch stops the start)", "recent", func(c *Config) any { return &c.StartAudit }},
	{"checkpoint_interval", "how often grown transcript logs are checkpointed and cosigned (also after deliveries)", "30s", func(c *Config) any { return &c.CheckpointInterval }},
	{"social_names", "file of personal names social channels refuse, one per line (relative to the data directory; empty: none)", "", func(c *Config) any { return &c.SocialNames }},
	{"taxii_listen", "address of the TAXII 2.1 listener for the organisation's tools (empty: none)", "", func(c *Config) any { return &c.TAXIIListen }},
	{"taxii_tls_cert", "PEM certificate (chain) for HTTPS on the TAXII listener, relative to the data directory (empty: plain HTTP)", "", func(c *Config) any { return &c.TAXIITLSCert }},
	{"taxii_tls_key", "PEM private key of taxii_tls_cert", "", func(c *Config) any { return &c.TAXIITLSKey }},
	{"taxii_respond_within", "deadline of warnings posted over TAXII without the dispatch extension (empty: the channel's)", "", func(c *Config) any { return &c.TAXIIRespondWithin }},
	{"taxii_max_content_length", "largest TAXII POST body (413 above)", "8388608", func(c *Config) any { return &c.TAXIIMaxContentLength }},
	{"taxii_page_size", "most objects in one TAXII response", "1000", func(c *Config) any { return &c.TAXIIPageSize }},
	{"taxii_status_keep", "how long the status of a TAXII POST can be read", "168h", func(c *Config) any { return &c.TAXIIStatusKeep }},
	{"claim_lease", "how long a worker holds claimed envelopes on a shared PostgreSQL store (must exceed http_timeout)", "60s", func(c *Config) any { return &c.ClaimLease }},
	{"web_listen", "address of the analysts' web UI (empty: off; see docs/web.md)", "", func(c *Config) any { return &c.WebListen }},
	{"web_tls_cert", "PEM certificate (chain) for HTTPS on the web UI, relative to the data directory (empty: plain HTTP, keep it on loopback)", "", func(c *Config) any { return &c.WebTLSCert }},
	{"web_tls_key", "PEM private key of web_tls_cert", "", func(c *Config) any { return &c.WebTLSKey }},
	{"web_session_ttl", "how long a web UI sign-in lasts", "8h", func(c *Config) any { return &c.WebSessionTTL }},
	{"opendoor_listen", "address of the open door, the anonymous intake (empty: off; see docs/opendoor.md)", "", func(c *Config) any { return &c.OpenDoorListen }},
	{"opendoor_key", "open-door public key file written by `parley opendoor keygen` (relative to the data directory)", "opendoor.pub", func(c *Config) any { return &c.OpenDoorKey }},
	{"opendoor_retention", "how long open-door items are kept before serve destroys them (whole days, e.g. 90d)", "90d", func(c *Config) any { return &c.OpenDoorRetention }},
	{"opendoor_max_bytes", "largest open-door submission, message and files together", "10485760", func(c *Config) any { return &c.OpenDoorMaxBytes }},
	{"opendoor_max_files", "most files in one open-door submission", "5", func(c *Config) any { return &c.OpenDoorMaxFiles }},
	{"opendoor_rate", "open-door codename checks and submissions per minute, for everyone together (beyond: 503)", "60", func(c *Config) any { return &c.OpenDoorRate }},
}

func setOption(c *Config, o option, v string) error {
	switch p := o.ptr(c).(type) {
	case *string:
		*p = v
	case *int:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%s = %q: want a non-negative integer", o.key, v)
		}
		*p = n
	case *bool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%s = %q: want true or false", o.key, v)
		}
		*p = b
	case *time.Duration:
		d, err := parseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%s = %q: want a positive duration such as 500ms, 30s or 90d", o.key, v)
		}
		*p = d
	}
	return nil
}

// parseDuration is time.ParseDuration, plus whole days ("90d").
func parseDuration(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d > 100*366 {
			return 0, fmt.Errorf("bad number of days %q", v)
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

func optionByKey(k string) (option, bool) {
	for _, o := range options {
		if o.key == k {
			return o, true
		}
	}
	return option{}, false
}

// parseConfigFile reads "key = value" lines; values may be double-quoted;
// '#' starts a comment line. Unknown keys are errors.
func parseConfigFile(c *Config, b []byte, name string) error {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("%s:%d: want key = value", name, line)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if strings.HasPrefix(v, `"`) {
			uq, err := strconv.Unquote(v)
			if err != nil {
				return fmt.Errorf("%s:%d: bad quoted value %s", name, line, v)
			}
			v = uq
		}
		o, ok := optionByKey(k)
		if !ok {
			return fmt.Errorf("%s:%d: unknown option %q (see `parley serve --help`)", name, line, k)
		}
		if err := setOption(c, o, v); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
	return sc.Err()
}

// LoadConfig builds the configuration of the node in dir: defaults, then
// parley.conf, then PARLEY_* environment variables. Flags are applied by the
// caller with configFlags.
func LoadConfig(dir string) (*Config, error) {
	c := &Config{Dir: dir}
	for _, o := range options {
		if o.def != "" {
			if err := setOption(c, o, o.def); err != nil {
				panic(err)
			}
		}
	}
	path := filepath.Join(dir, ConfigFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s has no %s (hint: create a node with `parley init --dir %s --name NAME`)", dir, ConfigFile, dir)
	} else if err != nil {
		return nil, err
	}
	if err := parseConfigFile(c, b, path); err != nil {
		return nil, err
	}
	for _, o := range options {
		env := "PARLEY_" + strings.ToUpper(o.key)
		if v, ok := os.LookupEnv(env); ok {
			if err := setOption(c, o, v); err != nil {
				return nil, fmt.Errorf("$%s: %w", env, err)
			}
		}
	}
	return c, nil
}

// configFlags registers a --key flag for every option on fs; flags given on
// the command line override the loaded configuration when applied.
func configFlags(fs *flag.FlagSet) func(c *Config) error {
	vals := map[string]*string{}
	for _, o := range options {
		vals[o.key] = fs.String(strings.ReplaceAll(o.key, "_", "-"), "", o.help+" (default "+strconv.Quote(o.def)+")")
	}
	return func(c *Config) error {
		var err error
		fs.Visit(func(f *flag.Flag) {
			k := strings.ReplaceAll(f.Name, "-", "_")
			if o, ok := optionByKey(k); ok && err == nil {
				err = setOption(c, o, *vals[k])
			}
		})
		return err
	}
}

// Validate checks the configuration and fills derived defaults.
func (c *Config) Validate() error {
	if err := parley.ValidName(c.Name); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Listen
	}
	if err := parley.ValidURL(c.PublicURL); err != nil {
		return fmt.Errorf("config public_url: %w", err)
	}
	if !(strings.HasPrefix(c.Store, "sqlite:") && len(c.Store) > len("sqlite:")) &&
		!strings.HasPrefix(c.Store, "postgres://") && !strings.HasPrefix(c.Store, "postgresql://") {
		return fmt.Errorf("config store = %q: want sqlite:FILE or postgres://user:password@host:port/db", store.Redact(c.Store))
	}
	if c.MaxEnvelopeBytes < 64<<10 || c.MaxBodyBytes < c.MaxEnvelopeBytes+64 {
		return fmt.Errorf("config: max_envelope_bytes must be at least 65536 and max_body_bytes larger than it")
	}
	if c.HeartbeatDownAfter < 1 {
		return fmt.Errorf("config: heartbeat_down_after must be at least 1")
	}
	if c.WebhookURL != "" {
		if err := parley.ValidURL(c.WebhookURL); err != nil {
			return fmt.Errorf("config webhook_url: %w", err)
		}
	}
	if c.RetryMax < c.RetryMin {
		return fmt.Errorf("config: retry_max (%v) must not be shorter than retry_min (%v)", c.RetryMax, c.RetryMin)
	}
	if c.ClaimLease <= c.HTTPTimeout {
		return fmt.Errorf("config: claim_lease (%v) must be longer than http_timeout (%v), or a slow delivery could be sent twice at once", c.ClaimLease, c.HTTPTimeout)
	}
	if c.StartAudit != "recent" && c.StartAudit != "full" && c.StartAudit != "off" {
		return fmt.Errorf("config: start_audit must be recent, full or off, not %q", c.StartAudit)
	}
	if c.EscalationInterval < time.Second || c.WebhookRetries < 0 || c.WebhookRetries > 20 {
		return fmt.Errorf("config: escalation_interval must be at least 1s and webhook_retries 0 to 20")
	}
	if (c.WebTLSCert == "") != (c.WebTLSKey == "") {
		return fmt.Errorf("config: set both web_tls_cert and web_tls_key, or neither")
	}
	if c.WebSessionTTL < time.Minute || c.WebSessionTTL > 7*24*time.Hour {
		return fmt.Errorf("config: web_session_ttl must be between 1m and 7d")
	}
	if (c.TAXIITLSCert == "") != (c.TAXIITLSKey == "") {
		return fmt.Errorf("config: set both taxii_tls_cert and taxii_tls_key, or neither")
	}
	if c.TAXIIRespondWithin != 0 && (c.TAXIIRespondWithin < parley.MinRespondWithin || c.TAXIIRespondWithin > parley.MaxRespondWithin) {
		return fmt.Errorf("config: taxii_respond_within must be between %v and %v", parley.MinRespondWithin, parley.MaxRespondWithin)
	}
	if c.TAXIIMaxContentLength < 1<<10 || c.TAXIIMaxContentLength > c.MaxEnvelopeBytes {
		return fmt.Errorf("config: taxii_max_content_length must be from 1024 to max_envelope_bytes (%d)", c.MaxEnvelopeBytes)
	}
	if c.TAXIIPageSize < 1 || c.TAXIIPageSize > 10000 || c.TAXIIStatusKeep < time.Minute {
		return fmt.Errorf("config: taxii_page_size must be 1 to 10000 and taxii_status_keep at least 1m")
	}
	if c.BatchMax < 1 || c.BatchMax > 4096 || c.SequenceWindow < 1 {
		return fmt.Errorf("config: batch_max must be 1 to 4096 and sequence_window at least 1")
	}
	if c.OpenDoorRetention < 24*time.Hour || c.OpenDoorRetention%(24*time.Hour) != 0 {
		return fmt.Errorf("config: opendoor_retention must be a whole number of days (the open door stores dates, not times), such as 90d")
	}
	if c.OpenDoorMaxBytes < 64<<10 || c.OpenDoorMaxFiles < 1 || c.OpenDoorMaxFiles > 64 || c.OpenDoorRate < 1 {
		return fmt.Errorf("config: opendoor_max_bytes must be at least 65536, opendoor_max_files 1 to 64 and opendoor_rate at least 1")
	}
	if c.OpenDoorKey == "" {
		return fmt.Errorf("config: opendoor_key must name the open-door public key file (default opendoor.pub)")
	}
	return nil
}

// writeDefaultConfig writes a documented parley.conf.
func writeDefaultConfig(path, name, listen, publicURL string) error {
	var b strings.Builder
	b.WriteString("# Parley node configuration. Every option can be overridden by the\n")
	b.WriteString("# environment (PARLEY_<KEY>) and by `parley serve --<key>`.\n\n")
	for _, o := range options {
		fmt.Fprintf(&b, "# %s\n", o.help)
		switch o.key {
		case "name":
			fmt.Fprintf(&b, "name = %q\n\n", name)
		case "listen":
			fmt.Fprintf(&b, "listen = %q\n\n", listen)
		case "public_url":
			if publicURL != "" {
				fmt.Fprintf(&b, "public_url = %q\n\n", publicURL)
			} else {
				fmt.Fprintf(&b, "# public_url = \"\"\n\n")
			}
		default:
			fmt.Fprintf(&b, "# %s = %q\n\n", o.key, o.def)
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
