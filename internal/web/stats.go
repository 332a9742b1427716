package web

import (
	"net/http"
	"strconv"
	"time"
)

// statsPage is per partner and direction: how warnings and requests were
// answered over the last Days days.
type statsPage struct {
	Layout
	Days int
	Rows []statsRow
}

type statsRow struct {
	Peer, Direction                 string
	Warnings, Requests, Responses   int
	Due, AnsweredInTime             int
	Share                           float64 // AnsweredInTime/Due; -1 when nothing is due
	AckMedian, AnswerMedian         string
	AnswerP90                       string
	OverdueNow, Withdrawn, Answered int
}

func (h *Handler) stats(w http.ResponseWriter, r *http.Request) {
	days := 90
	if d, err := strconv.Atoi(r.URL.Query().Get("days")); err == nil && d >= 1 && d <= 3650 {
		days = d
	}
	since := h.cfg.Node.Now().Add(-time.Duration(days) * 24 * time.Hour)
	ss, err := h.cfg.Node.Statistics(r.Context(), nil, since)
	if err != nil {
		h.internal(w, r, "statistics", err)
		return
	}
	p := statsPage{Layout: h.layout(r, "Statistics"), Days: days}
	for _, s := range ss {
		p.Rows = append(p.Rows, statsRow{Peer: s.PeerName, Direction: string(s.Direction), Warnings: s.Warnings, Requests: s.Requests,
			Responses: s.Responses, Due: s.Due, AnsweredInTime: s.AnsweredInTime, Share: s.ShareInTime(),
			AckMedian: span(s.AckMedian), AnswerMedian: span(s.AnswerMedian), AnswerP90: span(s.AnswerP90),
			OverdueNow: s.OverdueNow, Withdrawn: s.Withdrawn, Answered: s.Answered})
	}
	h.render(w, http.StatusOK, "stats", p)
}

// span is a duration for people: "—" for none, else days, hours, minutes.
func span(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	s := ago(d)
	return s[:len(s)-len(" left")]
}
