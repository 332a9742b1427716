package opendoor_test

import (
	"math"
	"math/rand/v2"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/parley-dev/parley/internal/opendoor"
	"github.com/parley-dev/parley/internal/parley"
)

// TestCodenameCheckTimingAndSize: right and wrong codenames are answered
// with identical sizes and statistically indistinguishable times. Requests
// alternate (right, wrong, right…) so that a busy machine slows both
// alike; the statistic is the Mann–Whitney U test's z, robust to outliers,
// with a generous bound (|z| < 4.5: a false alarm about once in 150,000
// runs). The right codename has a reply to open, so its path does more work
// than the wrong one's; only the answer's quantisation to CheckTime hides it.
func TestCodenameCheckTimingAndSize(t *testing.T) {
	if testing.Short() && raceEnabled {
		t.Log("race detector on: timings are noisier, the bound stays the same")
	}
	const pairs = 40
	step := 40 * time.Millisecond
	d := newDoor(t, func(c *opendoor.Config) { c.CheckTime = step; c.RatePerMinute = 1000; c.PerCodenamePerHour = 1000 })
	codename := d.firstVisit(t, "en", "timing", nil)
	items, _ := d.d.Store.DoorItems(t.Context(), parley.DoorFilter{})
	if _, err := d.d.Reply(t.Context(), items[0].ID, "a reply that the right codename opens"); err != nil {
		t.Fatal(err)
	}
	check := func(name string) (time.Duration, int) {
		start := time.Now()
		r := d.postForm(t, "/en/return", url.Values{"codename": {name}})
		el := time.Since(start)
		if r.status != 200 {
			t.Fatalf("status %d", r.status)
		}
		return el, len(r.body)
	}
	var right, wrong []float64
	for i := range pairs {
		wrongName := "otter bamboo cliff anchor velvet maple harbor " + []string{"quill", "quilt", "raven", "ruby"}[i%4]
		a, sa := check(codename)
		b, sb := check(wrongName)
		if sa != sb {
			t.Fatalf("pair %d: right codename %d bytes, wrong %d", i, sa, sb)
		}
		right, wrong = append(right, a.Seconds()), append(wrong, b.Seconds())
	}
	z := mannWhitneyZ(right, wrong)
	mr, mw := median(right), median(wrong)
	t.Logf("%d pairs: median right %.1f ms, wrong %.1f ms; Mann–Whitney z = %.2f", pairs, mr*1e3, mw*1e3, z)
	if math.Abs(z) > 4.5 {
		t.Errorf("right and wrong codenames are told apart by time: z = %.2f (medians %.1f and %.1f ms)", z, mr*1e3, mw*1e3)
	}
	if math.Abs(mr-mw) > step.Seconds()/2 {
		t.Errorf("medians differ by %.1f ms, more than half the check time", math.Abs(mr-mw)*1e3)
	}
	if mr < step.Seconds() || mw < step.Seconds() {
		t.Errorf("answers came before the check time: medians %.1f and %.1f ms", mr*1e3, mw*1e3)
	}
}

// TestMannWhitneyZ: the statistic can fail — it flags a 2 ms shift in
// samples that jitter by ±1 ms, and passes two draws from one distribution.
func TestMannWhitneyZ(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	draw := func(mean float64) []float64 {
		var s []float64
		for range 40 {
			s = append(s, mean+r.Float64()*2e-3-1e-3)
		}
		return s
	}
	if z := mannWhitneyZ(draw(0.040), draw(0.042)); math.Abs(z) < 4.5 {
		t.Errorf("a 2 ms shift: z = %.2f, want beyond 4.5", z)
	}
	if z := mannWhitneyZ(draw(0.040), draw(0.040)); math.Abs(z) > 4.5 {
		t.Errorf("the same distribution: z = %.2f", z)
	}
}

// mannWhitneyZ returns the normal approximation of the Mann–Whitney U
// statistic of a against b, with midranks for ties and the tie correction.
func mannWhitneyZ(a, b []float64) float64 {
	type obs struct {
		v float64
		a bool
	}
	var all []obs
	for _, v := range a {
		all = append(all, obs{v, true})
	}
	for _, v := range b {
		all = append(all, obs{v, false})
	}
	slices.SortFunc(all, func(x, y obs) int {
		switch {
		case x.v < y.v:
			return -1
		case x.v > y.v:
			return 1
		}
		return 0
	})
	n1, n2 := float64(len(a)), float64(len(b))
	n := n1 + n2
	var ra, ties float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		rank := float64(i+j+1) / 2 // midrank of positions i..j-1 (1-based)
		for k := i; k < j; k++ {
			if all[k].a {
				ra += rank
			}
		}
		tc := float64(j - i)
		ties += tc*tc*tc - tc
		i = j
	}
	u := ra - n1*(n1+1)/2
	mean := n1 * n2 / 2
	sd := math.Sqrt(n1 * n2 / 12 * ((n + 1) - ties/(n*(n-1))))
	if sd == 0 {
		return 0
	}
	return (u - mean) / sd
}

func median(s []float64) float64 {
	c := slices.Clone(s)
	slices.Sort(c)
	if len(c)%2 == 1 {
		return c[len(c)/2]
	}
	return (c[len(c)/2-1] + c[len(c)/2]) / 2
}
