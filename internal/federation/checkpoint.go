package federation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/transcript"
)

// CheckpointMediaType is the media type of a signed checkpoint note.
const CheckpointMediaType = "application/vnd.parley.checkpoint"

// HeaderLogSize answers a checkpoint that is ahead of the witness's mirror:
// the number of entries the witness holds.
const HeaderLogSize = "Parley-Log-Size"

// postCheckpoint witnesses a peer's checkpoint: the body is a signed note;
// the answer is the same note with this node's cosignature.
func (s *Server) postCheckpoint(w http.ResponseWriter, r *http.Request) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != CheckpointMediaType {
		s.refuse(w, r, parley.Errorf(parley.CodeUnsupportedMedia, -1, "Content-Type must be %s", CheckpointMediaType))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, transcript.MaxNoteBytes+1))
	if err != nil {
		s.refuse(w, r, &parley.Error{Code: parley.CodeMalformed, Index: -1, Message: "could not read the body", Err: err})
		return
	}
	if len(body) > transcript.MaxNoteBytes {
		s.refuse(w, r, parley.Errorf(parley.CodeTooLarge, -1, "a checkpoint is at most %d bytes", transcript.MaxNoteBytes))
		return
	}
	cosigned, err := s.Node.Witness(r.Context(), body)
	var ahead *parley.ErrCheckpointAhead
	if errors.As(err, &ahead) {
		w.Header().Set(HeaderLogSize, strconv.FormatInt(ahead.Have, 10))
		s.refuse(w, r, parley.Errorf(parley.CodeCheckpointAhead, -1, "%v", ahead))
		return
	}
	if err != nil {
		s.refuse(w, r, err)
		return
	}
	s.Metrics.Cosigned.WithLabelValues("witness").Inc()
	w.Header().Set("Content-Type", CheckpointMediaType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(cosigned)
}

// PostCheckpoint asks the peer to cosign a checkpoint. If the peer holds
// fewer entries, it returns a *RemoteError with code checkpoint_ahead and
// have set to what the peer holds.
func (c *Client) PostCheckpoint(ctx context.Context, baseURL string, note []byte) (cosigned []byte, have int64, err error) {
	u := strings.TrimSuffix(baseURL, "/") + "/federation/v1/checkpoint"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(note))
	if err != nil {
		return nil, -1, err
	}
	req.Header.Set("Content-Type", CheckpointMediaType)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, -1, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 2*transcript.MaxNoteBytes))
	if err != nil {
		return nil, -1, err
	}
	if resp.StatusCode != http.StatusOK {
		have := int64(-1)
		if h := resp.Header.Get(HeaderLogSize); h != "" {
			if n, err := strconv.ParseInt(h, 10, 64); err == nil && n >= 0 {
				have = n
			}
		}
		return nil, have, remoteError(resp.StatusCode, body)
	}
	return body, -1, nil
}

// Checkpointer keeps the logs this node operates cosigned: for each peer
// and each of its four logs, when the log grew past its last cosigned
// checkpoint, it signs a checkpoint, has the peer cosign it and stores the
// result. It runs every Interval and when woken (after deliveries).
type Checkpointer struct {
	Node     *parley.Node
	Client   *Client
	Log      *slog.Logger
	Metrics  *Metrics
	Interval time.Duration // default 30s

	mu   sync.Mutex
	wake chan struct{}
}

// Wake asks for a pass soon.
func (c *Checkpointer) Wake() {
	c.mu.Lock()
	if c.wake == nil {
		c.wake = make(chan struct{}, 1)
	}
	ch := c.wake
	c.mu.Unlock()
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Run passes until ctx is done.
func (c *Checkpointer) Run(ctx context.Context) {
	c.mu.Lock()
	if c.wake == nil {
		c.wake = make(chan struct{}, 1)
	}
	wake := c.wake
	c.mu.Unlock()
	interval := c.Interval
	if interval <= 0 {
		interval = 30 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		c.Pass(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
			// Let a burst of deliveries settle into one checkpoint.
			select {
			case <-ctx.Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
}

// Pass checkpoints every operated log of every peer that grew, and
// returns how many checkpoints were cosigned.
func (c *Checkpointer) Pass(ctx context.Context) int {
	peers, err := c.Node.Store.Peers(ctx)
	if err != nil {
		c.Log.Error("checkpoints: listing peers", "err", err)
		return 0
	}
	n := 0
	for _, p := range peers {
		for _, l := range []parley.LogID{parley.LogOut, parley.LogOutFlash, parley.LogOurReceipts, parley.LogOurReceiptsFlash} {
			ok, err := c.checkpoint(ctx, p, l)
			if err != nil && ctx.Err() == nil {
				c.Log.Warn("checkpoint not cosigned", "peer", p.Name, "log", l.String(), "err", err)
			}
			if ok {
				n++
			}
		}
	}
	return n
}

func (c *Checkpointer) checkpoint(ctx context.Context, p parley.Peer, l parley.LogID) (bool, error) {
	target, err := c.Node.CheckpointTarget(ctx, p, l)
	if err != nil {
		return false, err
	}
	last := int64(0)
	if cp, err := c.Node.Store.LatestCheckpoint(ctx, p.Fingerprint(), l); err == nil {
		last = cp.Size
	} else if !errors.Is(err, parley.ErrNotFound) {
		return false, err
	}
	for attempt := 0; target > last; attempt++ {
		if attempt == 2 {
			return false, fmt.Errorf("the peer holds %d entries of log %s; will try again", target, l)
		}
		note, cp, err := c.Node.SignCheckpoint(ctx, p, l, target)
		if err != nil {
			return false, err
		}
		cosigned, have, err := c.Client.PostCheckpoint(ctx, p.URL, note)
		var re *RemoteError
		if errors.As(err, &re) && re.Code == string(parley.CodeCheckpointAhead) && have >= 0 {
			target = have // the peer has not applied everything yet
			continue
		}
		if err != nil {
			return false, err
		}
		if err := c.Node.AcceptCosigned(ctx, p, l, cp, cosigned); err != nil {
			return false, err
		}
		c.Metrics.Cosigned.WithLabelValues("operator").Inc()
		return true, nil
	}
	return false, nil
}
