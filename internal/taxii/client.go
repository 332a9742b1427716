package taxii

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client reads objects from a collection of another TAXII 2.1 server.
type Client struct {
	// APIRoot is the URL of the API root, ending in "/".
	APIRoot string
	HTTP    *http.Client
	// Authorization is the value of the Authorization header ("Basic …",
	// "Bearer …"), or empty.
	Authorization string
	// MaxResponseBytes bounds one response body; default 64 MiB.
	MaxResponseBytes int64
}

// Page is one page of a collection's objects.
type Page struct {
	Objects []Posted
	More    bool
	Next    string
	// AddedLast is the X-TAXII-Date-Added-Last header: where the next pull
	// starts (added_after) once this page is handled.
	AddedLast string
}

// Objects fetches one page of objects of collection added after
// addedAfter (a TAXII timestamp, or "" for the start), continuing from
// next when it is not "".
func (c *Client) Objects(ctx context.Context, collection, addedAfter, next string, limit int) (Page, error) {
	u, err := url.Parse(strings.TrimSuffix(c.APIRoot, "/") + "/collections/" + url.PathEscape(collection) + "/objects/")
	if err != nil {
		return Page{}, fmt.Errorf("TAXII client: %w", err)
	}
	v := url.Values{}
	if addedAfter != "" {
		v.Set("added_after", addedAfter)
	}
	if next != "" {
		v.Set("next", next)
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	u.RawQuery = v.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Page{}, err
	}
	req.Header.Set("Accept", MediaType)
	if c.Authorization != "" {
		req.Header.Set("Authorization", c.Authorization)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Page{}, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	max := c.MaxResponseBytes
	if max <= 0 {
		max = 64 << 20
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return Page{}, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	if int64(len(body)) > max {
		return Page{}, fmt.Errorf("GET %s: the response exceeds %d bytes", u.Redacted(), max)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Title       string `json:"title"`
			Description string `json:"description"`
		}
		json.Unmarshal(body, &e)
		return Page{}, fmt.Errorf("GET %s: %s %s %s", u.Redacted(), resp.Status, e.Title, e.Description)
	}
	if ct := resp.Header.Get("Content-Type"); !contentTypeOK(ct) {
		return Page{}, fmt.Errorf("GET %s: the server answered %q, not %s", u.Redacted(), ct, MediaType)
	}
	p, err := decodePage(body)
	if err != nil {
		return Page{}, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	p.AddedLast = resp.Header.Get("X-TAXII-Date-Added-Last")
	if p.AddedLast != "" {
		if _, ok := parseTimestamp(p.AddedLast); !ok {
			return Page{}, fmt.Errorf("GET %s: X-TAXII-Date-Added-Last %q is not a timestamp", u.Redacted(), p.AddedLast)
		}
	}
	return p, nil
}

// decodePage decodes an envelope answered by a server: like a POSTed one,
// but it may be empty.
func decodePage(body []byte) (Page, error) {
	var head struct {
		More    bool              `json:"more"`
		Next    json.RawMessage   `json:"next"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return Page{}, fmt.Errorf("%w: %v", ErrEnvelope, err)
	}
	p := Page{More: head.More}
	if len(head.Next) > 0 {
		// next is a string in TAXII 2.1; some servers send a number.
		var s string
		if json.Unmarshal(head.Next, &s) != nil {
			s = string(head.Next)
		}
		p.Next = s
	}
	if len(head.Objects) == 0 {
		return p, nil
	}
	objs, err := DecodeEnvelope(body, 1<<20)
	if err != nil {
		return Page{}, err
	}
	p.Objects = objs
	return p, nil
}

// ErrNoProgress reports a server that says there is more but gives
// nothing to continue from.
var ErrNoProgress = errors.New("the server says there are more objects but gives neither next nor a date added to continue from")
