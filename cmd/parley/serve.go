package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/federation"
	"github.com/parley-dev/parley/internal/opendoor"
	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/store"
	"github.com/parley-dev/parley/internal/taxii"
	"github.com/parley-dev/parley/internal/web"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func cmdServe(ctx context.Context, c *cli, args []string) error {
	fs := newFlags(c, "serve", "serve [--dir DIR] [--<option> VALUE]...")
	dir := dirFlag(fs)
	apply := configFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	cfg, err := LoadConfig(*dir)
	if err != nil {
		return err
	}
	if err := apply(cfg); err != nil {
		return usageError{err.Error()}
	}
	log := newLogger(c, cfg)
	o, err := openNode(ctx, *dir, log, apply)
	if err != nil {
		return err
	}
	defer o.Close()
	if o.cfg.OpenDoorListen != "" {
		if _, err := loadOpenDoorKey(o.cfg); err != nil {
			return fmt.Errorf("opendoor_listen is set but %w", err)
		}
	}
	if err := startAudit(ctx, o, log); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w (hint: another node may be running; set listen in %s or --listen)", o.cfg.Listen, err, ConfigFile)
	}
	s := newServer(o, log)
	if o.cfg.OpenDoorListen != "" {
		if err := s.openDoor(); err != nil {
			ln.Close()
			return err
		}
		if s.doorLn, err = net.Listen("tcp", o.cfg.OpenDoorListen); err != nil {
			ln.Close()
			return fmt.Errorf("listening on %s for the open door: %w (hint: set opendoor_listen in %s or --opendoor-listen)", o.cfg.OpenDoorListen, err, ConfigFile)
		}
	}
	return s.Serve(ctx, ln)
}

// openDoor builds the open door's handler (docs/opendoor.md).
func (s *server) openDoor() error {
	key, err := loadOpenDoorKey(s.o.cfg)
	if err != nil {
		return fmt.Errorf("opendoor_listen is set but %w", err)
	}
	h, err := opendoor.New(opendoor.Config{
		Door: &parley.OpenDoor{Store: s.o.node.Store, Key: key, Clock: s.o.node.Clock},
		Log:  s.log, MaxBytes: int64(s.o.cfg.OpenDoorMaxBytes), MaxFiles: s.o.cfg.OpenDoorMaxFiles, RatePerMinute: s.o.cfg.OpenDoorRate,
	})
	if err != nil {
		return err
	}
	s.door = h
	return nil
}

// doorServer is the open door's HTTP server: its own listener, generous
// read limits for uploads over Tor, and an error log that never holds a
// client's address. It logs no request.
func (s *server) doorServer() *http.Server {
	return &http.Server{
		Handler:           s.door,
		ReadHeaderTimeout: 30 * time.Second,
		ReadTimeout:       10 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          opendoor.ErrorLog(s.log),
	}
}

// purgeOpenDoor destroys open-door items older than opendoor_retention, at
// start and then every hour, whether or not the open door is listening.
func (s *server) purgeOpenDoor(ctx context.Context) {
	d := &parley.OpenDoor{Store: s.o.node.Store, Clock: s.o.node.Clock}
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		items, visitors, err := d.Purge(ctx, s.o.cfg.OpenDoorRetention)
		if err != nil && ctx.Err() == nil {
			s.log.Error("open door: applying retention", "err", err)
		} else if items+visitors > 0 {
			s.log.Info("open door: retention destroyed old items", "items", items, "visitors", visitors)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func newLogger(c *cli, cfg *Config) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if strings.EqualFold(cfg.LogFormat, "json") {
		return slog.New(slog.NewJSONHandler(c.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(c.stderr, opts))
}

// server is a running node: the federation API, the delivery workers and
// the operational endpoints, wired from one opened data directory.
type server struct {
	o         *opened
	log       *slog.Logger
	reg       *prometheus.Registry
	metrics   *federation.Metrics
	deliverer *federation.Deliverer
	hotline   *federation.Hotline
	escalator *federation.Escalator
	checkpts  *federation.Checkpointer
	alerter   *federation.Alerter
	door      *opendoor.Handler // nil unless opendoor_listen is set
	web       *web.Handler      // nil unless web_listen is set
	doorLn    net.Listener
	taxii     *taxii.Server
}

// taxiiBackend is what the TAXII handler needs: the store, and the node's
// Compose for objects posted to an outbound collection.
type taxiiBackend struct {
	*store.DB
	node *parley.Node
}

func (b taxiiBackend) Compose(ctx context.Context, peer string, d parley.Draft) (parley.Message, error) {
	return b.node.Compose(ctx, peer, d)
}

func newTAXII(o *opened, log *slog.Logger) *taxii.Server {
	return &taxii.Server{
		Backend: taxiiBackend{o.st, o.node}, Log: log.With("listener", "taxii"), Clock: o.node.Clock, Title: o.cfg.Name,
		MaxContentLength: int64(o.cfg.TAXIIMaxContentLength), PageSize: o.cfg.TAXIIPageSize, StatusKeep: o.cfg.TAXIIStatusKeep,
		Dispatch: taxii.Dispatch{Kind: envelope.KindWarning, RespondWithin: o.cfg.TAXIIRespondWithin},
	}
}

func newServer(o *opened, log *slog.Logger) *server {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := federation.NewMetrics(reg)
	reg.MustRegister(&federation.StatusCollector{Store: o.node.Store, Log: log})
	cfg := o.cfg
	client := federation.NewClient(cfg.HTTPTimeout)
	// A delivery response carries about 4.8 KB of JSON per envelope; leave
	// room for a full batch.
	client.MaxResponseBytes = max(16<<20, int64(cfg.BatchMax)*8<<10)
	d := &federation.Deliverer{
		Node: o.node, Client: client, Log: log, Metrics: m,
		BatchMax: cfg.BatchMax, BatchBytes: cfg.BatchBytes, RetryMin: cfg.RetryMin, RetryMax: cfg.RetryMax, Poll: cfg.PollInterval, Lease: cfg.ClaimLease,
	}
	alerter := federation.NewAlerter(log, cfg.WebhookURL, reg)
	alerter.Retries = cfg.WebhookRetries
	reg.MustRegister(&federation.StatsCollector{Node: o.node, Log: log})
	hitCount := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parley_watchlist_hits_total", Help: "Received persons who matched the watchlist, by peer."}, []string{"peer"})
	reg.MustRegister(hitCount, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "parley_watchlist_entries", Help: "Entries on the watchlist loaded by this process."}, func() float64 {
		ix, err := o.node.Watchlist(context.Background())
		if err != nil {
			return 0
		}
		return float64(ix.Len())
	}))
	o.node.OnHits(func(p parley.Peer, hits []parley.Hit) { hitCount.WithLabelValues(p.Name).Add(float64(len(hits))) })
	esc := &federation.Escalator{Node: o.node, Log: log, Alert: alerter.Alert, Interval: cfg.EscalationInterval}
	hl := &federation.Hotline{
		Node: o.node, Client: federation.NewClient(max(cfg.HeartbeatInterval/2, time.Second)), Log: log, Alert: alerter.Alert,
		Interval: cfg.HeartbeatInterval, DownAfter: cfg.HeartbeatDownAfter, SkewWarn: cfg.ClockSkewWarn,
		FlashDeadline: cfg.FlashReadDeadline, All: cfg.HeartbeatAll,
	}
	o.node.OnFlashReceived(func(p parley.Peer, ids []envelope.ID) {
		for _, id := range ids {
			alerter.Alert(context.Background(), federation.Event{Kind: "flash_received", Peer: p.Name, At: o.node.Now().Truncate(time.Millisecond).UTC(), MessageID: id.String()})
		}
	})
	cp := &federation.Checkpointer{Node: o.node, Client: client, Log: log, Metrics: m, Interval: cfg.CheckpointInterval}
	o.node.OnDelivered(func([]envelope.ID) { cp.Wake() })
	o.node.OnReceived(func(parley.Peer) { cp.Wake() }) // our receipt logs grew
	o.node.OnMisbehaviour(func(p parley.Peer, e parley.Evidence) {
		alerter.Alert(context.Background(), federation.Event{Kind: "transcript_" + e.Kind, Peer: p.Name, At: o.node.Now().Truncate(time.Millisecond).UTC(), Detail: e.Detail})
	})
	return &server{o: o, log: log, reg: reg, metrics: m, deliverer: d, hotline: hl, escalator: esc, checkpts: cp, alerter: alerter, taxii: newTAXII(o, log)}
}

// Handler returns the node's HTTP handler.
func (s *server) Handler() http.Handler {
	mux := http.NewServeMux()
	fed := &federation.Server{
		Node: s.o.node, Log: s.log, Metrics: s.metrics, MaxBodyBytes: int64(s.o.cfg.MaxBodyBytes),
		IdentityFile: parley.ExportIdentity(s.o.node.Identity, s.o.cfg.Name, s.o.cfg.PublicURL),
	}
	fed.Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.o.node.Store.Peers(r.Context()); err != nil {
			s.log.Error("health check failed", "err", err)
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	return mux
}

// Serve runs until ctx is done, then shuts down gracefully: it stops
// accepting requests, lets in-flight ones finish, and stops the workers.
func (s *server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	var ws *http.Server
	var wln net.Listener
	if s.o.cfg.WebListen != "" {
		var err error
		if ws, wln, err = s.listenWeb(); err != nil {
			ln.Close()
			return err
		}
	}
	var ts *http.Server
	var tln net.Listener
	if s.o.cfg.TAXIIListen != "" {
		var err error
		if ts, tln, err = s.listenTAXII(); err != nil {
			ln.Close()
			return err
		}
	}
	wctx, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	workersDone := make(chan struct{})
	go func() {
		defer close(workersDone)
		var wg sync.WaitGroup
		wg.Go(func() { s.deliverer.Run(wctx) })
		wg.Go(func() { s.hotline.Run(wctx) })
		wg.Go(func() { s.escalator.Run(wctx) })
		wg.Go(func() { s.checkpts.Run(wctx) })
		wg.Go(func() { s.purgeOpenDoor(wctx) })
		wg.Wait()
	}()
	// Load the watchlist before the first batch needs it.
	var err error
	if _, err = s.o.node.Watchlist(ctx); err != nil {
		s.log.Error("loading the watchlist", "err", err)
	}
	errc := make(chan error, 4)
	go func() { errc <- hs.Serve(ln) }()
	var ds *http.Server
	if s.door != nil && s.doorLn != nil {
		ds = s.doorServer()
		go func() { errc <- ds.Serve(s.doorLn) }()
		s.log.Info("open door serving", "addr", s.doorLn.Addr().String())
	}
	if ws != nil {
		scheme := "http"
		if ws.TLSConfig != nil {
			scheme = "https"
		}
		s.log.Info("web UI serving", "url", scheme+"://"+wln.Addr().String()+"/")
		go func() {
			if err := ws.Serve(wln); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("web UI listener: %w", err)
			}
		}()
	}
	if ts != nil {
		scheme := "http"
		if ts.TLSConfig != nil {
			scheme = "https"
		}
		s.log.Info("TAXII 2.1 listener serving", "url", scheme+"://"+tln.Addr().String()+taxii.Path)
		go func() {
			if err := ts.Serve(tln); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("TAXII listener: %w", err)
			}
		}()
	}
	s.log.Info("parley node serving", "name", s.o.cfg.Name, "addr", ln.Addr().String(), "public_url", s.o.cfg.PublicURL,
		"fingerprint", s.o.node.Identity.Fingerprint().Short(), "pid", os.Getpid())
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), s.o.cfg.ShutdownTimeout)
	defer cancel()
	if serr := hs.Shutdown(sctx); serr != nil {
		s.log.Warn("shutdown", "err", serr)
	}
	if ds != nil {
		if serr := ds.Shutdown(sctx); serr != nil {
			s.log.Warn("open door shutdown", "err", serr)
		}
	}
	if ws != nil {
		if serr := ws.Shutdown(sctx); serr != nil {
			s.log.Warn("shutdown of the web UI listener", "err", serr)
		}
	}
	if ts != nil {
		if serr := ts.Shutdown(sctx); serr != nil {
			s.log.Warn("shutdown of the TAXII listener", "err", serr)
		}
	}
	stopWorkers()
	<-workersDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// listenTAXII opens the TAXII listener (taxii_listen), with TLS when
// taxii_tls_cert is set, and returns its server, not yet serving.
func (s *server) listenTAXII() (*http.Server, net.Listener, error) {
	cfg := s.o.cfg
	var tlsConf *tls.Config
	if cfg.TAXIITLSCert != "" {
		cert, err := tls.LoadX509KeyPair(inDir(cfg.Dir, cfg.TAXIITLSCert), inDir(cfg.Dir, cfg.TAXIITLSKey))
		if err != nil {
			return nil, nil, fmt.Errorf("TAXII listener: loading taxii_tls_cert and taxii_tls_key: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", cfg.TAXIIListen)
	if err != nil {
		return nil, nil, fmt.Errorf("TAXII listener on %s: %w (hint: set taxii_listen in %s or --taxii-listen)", cfg.TAXIIListen, err, ConfigFile)
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	mux := http.NewServeMux()
	mux.Handle(taxii.Path, s.taxii.Handler())
	mux.Handle("/taxii2", s.taxii.Handler())
	return &http.Server{
		Handler:           mux,
		TLSConfig:         tlsConf,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}, ln, nil
}

// listenWeb opens the web UI's listener (web_listen), with TLS when
// web_tls_cert is set, and returns its server, not yet serving.
func (s *server) listenWeb() (*http.Server, net.Listener, error) {
	cfg := s.o.cfg
	h, err := web.New(web.Config{Node: s.o.node, Users: s.o.st, Log: s.log.With("listener", "web"), Title: cfg.Name, SessionTTL: cfg.WebSessionTTL})
	if err != nil {
		return nil, nil, err
	}
	var tlsConf *tls.Config
	if cfg.WebTLSCert != "" {
		cert, err := tls.LoadX509KeyPair(inDir(cfg.Dir, cfg.WebTLSCert), inDir(cfg.Dir, cfg.WebTLSKey))
		if err != nil {
			return nil, nil, fmt.Errorf("web UI: loading web_tls_cert and web_tls_key: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", cfg.WebListen)
	if err != nil {
		return nil, nil, fmt.Errorf("web UI listener on %s: %w (hint: set web_listen in %s or --web-listen)", cfg.WebListen, err, ConfigFile)
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	s.web = h
	return &http.Server{
		Handler:           h,
		TLSConfig:         tlsConf,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}, ln, nil
}

// inDir resolves a configured file name against the data directory.
func inDir(dir, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}

// startAudit checks the transcripts before serving (start_audit): a
// mismatch means the store was altered, and the node refuses to start.
func startAudit(ctx context.Context, o *opened, log *slog.Logger) error {
	var recent int64
	switch o.cfg.StartAudit {
	case "off":
		log.Warn("transcript audit at start-up is off (start_audit = off)")
		return nil
	case "full":
	default:
		recent = 1000
	}
	start := time.Now()
	rep, err := o.node.Audit(ctx, recent)
	if err != nil {
		return fmt.Errorf("transcript audit: %w", err)
	}
	if len(rep.Problems) > 0 {
		for _, p := range rep.Problems {
			log.Error("transcript audit", "problem", p)
		}
		return fmt.Errorf("the transcripts do not verify (%d problem(s), first: %s); the store may have been altered. "+
			"Run `parley verify --store %s` for the report; to start anyway, set start_audit = off (or --start-audit off)", len(rep.Problems), rep.Problems[0], o.cfg.Dir)
	}
	var entries int64
	for _, l := range rep.Logs {
		entries += l.Checked
	}
	log.Info("transcript audit passed", "mode", o.cfg.StartAudit, "entries", entries, "took", time.Since(start).Round(time.Millisecond))
	return nil
}
