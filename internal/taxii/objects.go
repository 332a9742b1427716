package taxii

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/parley-dev/parley/internal/parley"
	"github.com/parley-dev/parley/internal/stix"
)

// page runs the query of a GET and returns up to limit objects, whether
// there are more, and the filter's limit applied.
func (s *Server) page(q *request, c *collection, e Endpoint, objectID string, noRaw bool) ([]parley.CollectionObject, bool, error) {
	if !c.canRead {
		return nil, false, fail(http.StatusForbidden, "Forbidden", "you may add objects to collection %s but not read it", c.alias)
	}
	f, err := ParseFilter(q.r.URL.Query(), e)
	if err != nil {
		return nil, false, fail(http.StatusBadRequest, "Bad Request", "%v", err)
	}
	limit := s.PageSize
	if f.Limit > 0 {
		limit = min(f.Limit, s.PageSize)
	}
	after := f.AddedAfter
	if f.Next.After(after) {
		after = f.Next
	}
	pq := parley.ObjectQuery{Peer: c.peer.Fingerprint(), Direction: c.dir, After: after, IDs: f.IDs, Types: f.Types,
		Versions: f.Versions, MaxTLP: tlpOf(q.user), Limit: limit + 1, NoRaw: noRaw}
	if objectID != "" {
		pq.IDs = []string{objectID}
		if e == VersionsEndpoint {
			pq.Versions = parley.VersionMatch{All: true}
		}
	}
	var objs []parley.CollectionObject
	if !f.NoSpec {
		if objs, err = s.Backend.CollectionObjects(q.r.Context(), pq); err != nil {
			return nil, false, err
		}
	}
	if objectID != "" && len(objs) == 0 {
		// 404 when the collection holds no version of it the user may see.
		any, err := s.Backend.CollectionObjects(q.r.Context(), parley.ObjectQuery{Peer: pq.Peer, Direction: c.dir,
			IDs: pq.IDs, Versions: parley.VersionMatch{All: true}, MaxTLP: pq.MaxTLP, Limit: 1, NoRaw: true})
		if err != nil {
			return nil, false, err
		}
		if len(any) == 0 {
			return nil, false, fail(http.StatusNotFound, "Not Found", "collection %s holds no object %s", c.alias, objectID)
		}
	}
	more := len(objs) > limit
	if more {
		objs = objs[:limit]
	}
	return objs, more, nil
}

// dateHeaders sets X-TAXII-Date-Added-First and -Last (§3.3.1) for a page.
func dateHeaders(w http.ResponseWriter, objs []parley.CollectionObject) {
	if len(objs) == 0 {
		return
	}
	w.Header().Set("X-TAXII-Date-Added-First", formatAdded(objs[0].DateAdded))
	w.Header().Set("X-TAXII-Date-Added-Last", formatAdded(objs[len(objs)-1].DateAdded))
}

// writeEnvelope writes an envelope (§3.7) or, with member "versions", a
// versions resource, whose items are already JSON.
func writeEnvelope(w http.ResponseWriter, objs []parley.CollectionObject, more bool, member string, item func(*bytes.Buffer, *parley.CollectionObject)) {
	var b bytes.Buffer
	b.Grow(64 + len(objs)*512)
	b.WriteString(`{"more":` + strconv.FormatBool(more))
	if more {
		b.WriteString(`,"next":"` + formatNext(objs[len(objs)-1].DateAdded) + `"`)
	}
	if len(objs) > 0 {
		b.WriteString(`,"` + member + `":[`)
		for i := range objs {
			if i > 0 {
				b.WriteByte(',')
			}
			item(&b, &objs[i])
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	dateHeaders(w, objs)
	writeBody(w, http.StatusOK, b.Bytes())
}

// objects serves GET objects/ and GET objects/{id}/.
func (s *Server) objects(q *request, c *collection, e Endpoint, objectID string) error {
	objs, more, err := s.page(q, c, e, objectID, false)
	if err != nil {
		return err
	}
	writeEnvelope(q.w, objs, more, "objects", func(b *bytes.Buffer, o *parley.CollectionObject) { b.Write(o.Raw) })
	return nil
}

func (s *Server) manifest(q *request, c *collection) error {
	objs, more, err := s.page(q, c, ListEndpoint, "", true)
	if err != nil {
		return err
	}
	writeEnvelope(q.w, objs, more, "objects", func(b *bytes.Buffer, o *parley.CollectionObject) {
		b.WriteString(`{"id":`)
		b.WriteString(strconv.Quote(o.ID)) // STIX ids are ASCII
		b.WriteString(`,"date_added":"` + formatAdded(o.DateAdded) + `","version":"` + formatVersion(o.Version) + `","media_type":"` + STIXMediaType + `"}`)
	})
	return nil
}

func (s *Server) versions(q *request, c *collection, objectID string) error {
	objs, more, err := s.page(q, c, VersionsEndpoint, objectID, true)
	if err != nil {
		return err
	}
	writeEnvelope(q.w, objs, more, "versions", func(b *bytes.Buffer, o *parley.CollectionObject) {
		b.WriteString(`"` + formatVersion(o.Version) + `"`)
	})
	return nil
}

// addObjects serves POST objects/: the objects become one message to the
// peer; the answer is the status resource (202).
func (s *Server) addObjects(q *request, c *collection) error {
	if !c.canWrite {
		if c.dir == parley.Inbound {
			return fail(http.StatusForbidden, "Forbidden", "collection %s holds what %s sent and is read-only; add objects to %s", c.alias, c.peer.Name, parley.CollectionAlias(c.peer.Name, parley.Outbound))
		}
		return fail(http.StatusForbidden, "Forbidden", "you may not add objects to collection %s", c.alias)
	}
	if !contentTypeOK(q.r.Header.Get("Content-Type")) {
		return fail(http.StatusUnsupportedMediaType, "Unsupported Media Type", "send objects as %s", MediaType)
	}
	if q.r.ContentLength > s.MaxContentLength {
		return fail(http.StatusRequestEntityTooLarge, "Request Entity Too Large", "the body of %d bytes exceeds max_content_length (%d)", q.r.ContentLength, s.MaxContentLength)
	}
	body, err := io.ReadAll(http.MaxBytesReader(q.w, q.r.Body, s.MaxContentLength))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return fail(http.StatusRequestEntityTooLarge, "Request Entity Too Large", "the body exceeds max_content_length (%d)", s.MaxContentLength)
	} else if err != nil {
		return fail(http.StatusBadRequest, "Bad Request", "reading the body: %v", err)
	}
	objs, err := DecodeEnvelope(body, stix.MaxObjects)
	if err != nil {
		return fail(http.StatusBadRequest, "Bad Request", "%v", err)
	}
	now := s.Clock.Now()
	st := parley.TAXIIStatus{ID: newUUID(), User: q.user.Name, Peer: c.peer.Fingerprint(), RequestedAt: now, ExpiresAt: now.Add(s.StatusKeep),
		Objects: make([]parley.TAXIIStatusObject, len(objs))}
	m, refused, err := Send(q.r.Context(), s.Backend, c.peer.Name, objs, s.Dispatch)
	if err != nil {
		return err
	}
	for i, o := range objs {
		so := parley.TAXIIStatusObject{ObjectID: o.ID, Version: o.Version}
		if refused != "" {
			so.Failure = refused
		} else {
			so.Message = &m.ID
		}
		st.Objects[i] = so
	}
	if refused != "" {
		s.Log.Info("TAXII objects not sent", "user", q.user.Name, "collection", c.alias, "objects", len(objs), "reason", refused)
	} else {
		s.Log.Info("TAXII objects sent", "user", q.user.Name, "collection", c.alias, "objects", len(objs), "message", m.ID.String(), "kind", m.Kind.String())
	}
	if err := s.Backend.AddTAXIIStatus(q.r.Context(), st); err != nil {
		return fmt.Errorf("storing the status of a POST (message %s): %w", m.ID, err)
	}
	// Read it back, so that the answer is what GET status says.
	if st, err = s.Backend.TAXIIStatus(q.r.Context(), st.ID, now); err != nil {
		return err
	}
	writeJSON(q.w, http.StatusAccepted, s.statusResource(st, c.peer.Name))
	return nil
}

func (s *Server) status(q *request, id string) error {
	st, err := s.Backend.TAXIIStatus(q.r.Context(), id, s.Clock.Now())
	if errors.Is(err, parley.ErrNotFound) || (err == nil && st.User != q.user.Name) {
		return fail(http.StatusNotFound, "Not Found", "no status %q (statuses are kept for %v and shown to the user who posted)", id, s.StatusKeep)
	} else if err != nil {
		return err
	}
	peer := st.Peer.Short()
	if peers, err := s.Backend.Peers(q.r.Context()); err == nil {
		for _, p := range peers {
			if p.Fingerprint() == st.Peer {
				peer = p.Name
			}
		}
	}
	writeJSON(q.w, http.StatusOK, s.statusResource(st, peer))
	return nil
}

// statusDetail is a TAXII status-details (§4.3.1).
type statusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// statusResource is the status resource (§4.3.1) of a POST: an object is a
// failure when it was not sent or the peer refused its message, a success
// once the peer's signed delivered receipt is stored, pending until then.
func (s *Server) statusResource(st parley.TAXIIStatus, peer string) any {
	var res struct {
		ID               string         `json:"id"`
		Status           string         `json:"status"`
		RequestTimestamp string         `json:"request_timestamp"`
		TotalCount       int            `json:"total_count"`
		SuccessCount     int            `json:"success_count"`
		Successes        []statusDetail `json:"successes,omitempty"`
		FailureCount     int            `json:"failure_count"`
		Failures         []statusDetail `json:"failures,omitempty"`
		PendingCount     int            `json:"pending_count"`
		Pendings         []statusDetail `json:"pendings,omitempty"`
	}
	res.ID, res.RequestTimestamp, res.TotalCount = st.ID, formatAdded(st.RequestedAt), len(st.Objects)
	for _, o := range st.Objects {
		d := statusDetail{ID: o.ObjectID, Version: o.Version}
		if d.Version == "" {
			d.Version = formatVersion(st.RequestedAt)
		}
		switch {
		case o.Failure != "":
			d.Message = o.Failure
			res.Failures = append(res.Failures, d)
		case o.Message == nil:
			d.Message = "not sent"
			res.Failures = append(res.Failures, d)
		case o.Refusal != 0:
			d.Message = fmt.Sprintf("refused by %s (%s): message %s was kept as evidence and nothing it carried was applied", peer, o.Refusal, o.Message)
			res.Failures = append(res.Failures, d)
		case !o.DeliveredAt.IsZero():
			d.Message = fmt.Sprintf("delivered to %s in message %s at %s (signed receipt)", peer, o.Message, o.DeliveredAt.Format(time.RFC3339))
			if !o.ReadAt.IsZero() {
				d.Message += fmt.Sprintf("; acknowledged: read at %s", o.ReadAt.Format(time.RFC3339))
			}
			res.Successes = append(res.Successes, d)
		default:
			d.Message = fmt.Sprintf("sent to %s in message %s; waiting for its signed delivered receipt", peer, o.Message)
			res.Pendings = append(res.Pendings, d)
		}
	}
	res.SuccessCount, res.FailureCount, res.PendingCount = len(res.Successes), len(res.Failures), len(res.Pendings)
	res.Status = "complete"
	if res.PendingCount > 0 {
		res.Status = "pending"
	}
	return res
}
