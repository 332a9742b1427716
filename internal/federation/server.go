package federation

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"

	"github.com/parley-dev/parley/internal/envelope"
	"github.com/parley-dev/parley/internal/parley"
)

// Server serves the federation API for one node.
type Server struct {
	Node    *parley.Node
	Log     *slog.Logger
	Metrics *Metrics
	// MaxBodyBytes bounds a request body (default 32 MiB).
	MaxBodyBytes int64
	// IdentityFile is served at GET /federation/v1/identity.
	IdentityFile []byte

	contactLimit *limiter
}

// Register adds the federation routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /federation/v1/envelopes", s.postEnvelopes)
	mux.HandleFunc("GET /federation/v1/identity", s.getIdentity)
	mux.HandleFunc("POST /federation/v1/heartbeat", s.postHeartbeat)
	mux.HandleFunc("POST /federation/v1/checkpoint", s.postCheckpoint)
	s.registerContact(mux)
}

func (s *Server) maxBody() int64 {
	if s.MaxBodyBytes > 0 {
		return s.MaxBodyBytes
	}
	return 32 << 20
}

// readBatch checks the media type, reads a bounded body and decodes it.
func (s *Server) readBatch(w http.ResponseWriter, r *http.Request) ([][]byte, *parley.Error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != MediaType {
		return nil, parley.Errorf(parley.CodeUnsupportedMedia, -1, "Content-Type must be %s", MediaType)
	}
	if r.ContentLength > s.maxBody() {
		return nil, parley.Errorf(parley.CodeTooLarge, -1, "body of %d bytes exceeds the limit of %d", r.ContentLength, s.maxBody())
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody()))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, parley.Errorf(parley.CodeTooLarge, -1, "body exceeds the limit of %d bytes", s.maxBody())
		}
		return nil, &parley.Error{Code: parley.CodeMalformed, Index: -1, Message: "could not read the body", Err: err}
	}
	// Items are bounded by the body limit here; Node.Receive refuses an
	// envelope over max_envelope_bytes with too_large and its index.
	items, err := DecodeBatch(body, int(s.maxBody()))
	if err != nil {
		return nil, &parley.Error{Code: parley.CodeMalformed, Index: -1, Message: err.Error(), Err: err}
	}
	return items, nil
}

func (s *Server) postEnvelopes(w http.ResponseWriter, r *http.Request) {
	items, perr := s.readBatch(w, r)
	if perr != nil {
		s.refuse(w, r, perr)
		return
	}
	res, err := s.Node.Receive(r.Context(), items)
	if err != nil {
		s.refuse(w, r, err)
		return
	}
	out := DeliveryResponse{Results: make([]DeliveryResult, len(res))}
	for i, x := range res {
		out.Results[i] = DeliveryResult{ID: idOf(items[i]), Status: x.Status, Receipt: x.Receipt}
		s.Metrics.Received.WithLabelValues(x.Status).Inc()
		if x.Status == "duplicate" {
			s.Log.Info("duplicate envelope acknowledged again", "id", out.Results[i].ID)
		} else if len(items[i]) > 5 && envelope.Kind(items[i][5]) == envelope.KindReceipt {
			s.Metrics.ReceiptsIn.Inc()
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getIdentity(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(s.IdentityFile)
}

// refuse logs err with its reason, counts it and answers with its code.
// Internal detail is logged, never sent.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, err error) {
	var pe *parley.Error
	if r.Context().Err() != nil {
		s.Log.Info("federation request abandoned by the client", "path", r.URL.Path, "err", err)
		return
	}
	if !errors.As(err, &pe) {
		s.Log.Error("federation request failed", "path", r.URL.Path, "err", err)
		s.Metrics.Rejected.WithLabelValues(string(parley.CodeInternal)).Inc()
		writeJSON(w, http.StatusInternalServerError, ErrorResponse{Error: ErrorBody{Code: string(parley.CodeInternal), Message: "internal error"}})
		return
	}
	s.Log.Warn("federation request refused", "path", r.URL.Path, "code", pe.Code, "reason", pe.Error())
	s.Metrics.Rejected.WithLabelValues(string(pe.Code)).Inc()
	body := ErrorBody{Code: string(pe.Code), Message: pe.Message}
	if pe.Index >= 0 {
		body.Index = &pe.Index
	}
	writeJSON(w, pe.Code.HTTPStatus(), ErrorResponse{Error: body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// idOf returns the hex envelope id of an envelope that has been parsed.
func idOf(wire []byte) string { return hex.EncodeToString(wire[8:24]) }
