package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Client posts batches to a peer's federation API.
type Client struct {
	HTTP *http.Client
	// MaxResponseBytes bounds a response body (default 16 MiB).
	MaxResponseBytes int64
}

// NewClient returns a client with a bounded timeout and connection reuse.
func NewClient(timeout time.Duration) *Client {
	return &Client{HTTP: &http.Client{
		Timeout:   timeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second, ForceAttemptHTTP2: true},
	}}
}

// RemoteError is a refusal reported by the peer.
type RemoteError struct {
	Status  int
	Code    string
	Message string
	Index   *int
}

func (e *RemoteError) Error() string {
	s := fmt.Sprintf("peer refused with HTTP %d %s: %s", e.Status, e.Code, e.Message)
	if e.Index != nil {
		s += fmt.Sprintf(" (item %d)", *e.Index)
	}
	return s
}

func (c *Client) post(ctx context.Context, baseURL, path string, items [][]byte, out any) error {
	u := strings.TrimSuffix(baseURL, "/") + path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(EncodeBatch(items)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", MediaType)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	max := c.MaxResponseBytes
	if max <= 0 {
		max = 16 << 20
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return fmt.Errorf("reading response from %s: %w", u, err)
	}
	if int64(len(body)) > max {
		return fmt.Errorf("response from %s exceeds %d bytes", u, max)
	}
	if resp.StatusCode != http.StatusOK {
		return remoteError(resp.StatusCode, body)
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(out); err != nil {
		return fmt.Errorf("bad response from %s: %w", u, err)
	}
	return nil
}

// PostEnvelopes delivers a batch of envelopes and returns the per-envelope results.
func (c *Client) PostEnvelopes(ctx context.Context, baseURL string, envs [][]byte) (*DeliveryResponse, error) {
	var out DeliveryResponse
	if err := c.post(ctx, baseURL, "/federation/v1/envelopes", envs, &out); err != nil {
		return nil, err
	}
	if len(out.Results) != len(envs) {
		return nil, fmt.Errorf("peer answered %d results for %d envelopes", len(out.Results), len(envs))
	}
	return &out, nil
}

// remoteError reads a peer's error answer.
func remoteError(status int, body []byte) *RemoteError {
	var er ErrorResponse
	if json.Unmarshal(body, &er) != nil || er.Error.Code == "" {
		return &RemoteError{Status: status, Code: "unknown", Message: http.StatusText(status)}
	}
	return &RemoteError{Status: status, Code: er.Error.Code, Message: er.Error.Message, Index: er.Error.Index}
}
