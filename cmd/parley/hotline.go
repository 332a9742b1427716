package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"
)

func cmdHotline(ctx context.Context, c *cli, args []string) error {
	if len(args) == 0 || args[0] != "report" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(c.stderr, "Usage: parley hotline report --peer PEER [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--json]")
			return nil
		}
		return usagef("want `parley hotline report --peer PEER`")
	}
	fs := newFlags(c, "hotline report", "hotline report --peer PEER [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--dir DIR] [--json]")
	dir := dirFlag(fs)
	peer := fs.String("peer", "", "peer name (required)")
	since := fs.String("since", "", "first day, UTC (default: 7 days ago)")
	until := fs.String("until", "", "last day, UTC, included (default: today)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *peer == "" {
		return usagef("--peer is required")
	}
	var from, to time.Time
	if *since != "" {
		if from, err = time.Parse(time.DateOnly, *since); err != nil {
			return usagef("--since %q: want YYYY-MM-DD", *since)
		}
	}
	if *until != "" {
		if to, err = time.Parse(time.DateOnly, *until); err != nil {
			return usagef("--until %q: want YYYY-MM-DD", *until)
		}
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return usagef("--until is before --since")
	}
	o, err := openNode(ctx, *dir, nil, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	today := o.node.Now().UTC().Truncate(24 * time.Hour)
	if to.IsZero() {
		to = today
	}
	if from.IsZero() {
		from = to.Add(-6 * 24 * time.Hour)
	}
	if to.Before(from) {
		return usagef("--until is before --since")
	}
	p, err := peerByName(ctx, o.node, *peer)
	if err != nil {
		return err
	}
	days, err := o.node.HotlineReport(ctx, p.Fingerprint(), from, to.Add(24*time.Hour))
	if err != nil {
		return err
	}
	type dayJSON struct {
		Day            string   `json:"day"`
		Heartbeats     int      `json:"heartbeats"`
		Answered       int      `json:"answered"`
		Availability   *float64 `json:"availability_percent"` // null when nothing was measured
		LongestOutageS float64  `json:"longest_outage_seconds"`
		MedianRTTms    float64  `json:"median_rtt_ms"`
		Measured       bool     `json:"measured"`
	}
	out := []dayJSON{}
	for _, d := range days {
		j := dayJSON{Day: d.Day.Format(time.DateOnly), Heartbeats: d.Attempts, Answered: d.OK,
			LongestOutageS: d.LongestOutage.Seconds(), MedianRTTms: float64(d.MedianRTT.Microseconds()) / 1000, Measured: d.HasMeasurement}
		if d.HasMeasurement {
			a := 100 * d.Availability
			j.Availability = &a
		}
		out = append(out, j)
	}
	if *asJSON {
		return printJSON(c.stdout, map[string]any{"peer": p.Name, "days": out})
	}
	fmt.Fprintf(c.stdout, "Hotline with %s (purpose %s), per UTC day\n", p.Name, p.Purpose)
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DAY\tHEARTBEATS\tAVAILABILITY\tLONGEST OUTAGE\tMEDIAN RTT")
	for _, d := range out {
		avail := "no data"
		if d.Availability != nil {
			avail = fmt.Sprintf("%.2f%%", *d.Availability)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%v\t%.1fms\n", d.Day, d.Heartbeats, avail, time.Duration(d.LongestOutageS*float64(time.Second)).Round(time.Second), d.MedianRTTms)
	}
	return tw.Flush()
}
