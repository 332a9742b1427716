package stix

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// bundleOfPersons returns a bundle of about n objects made by NewPerson:
// persons with documents, every other one also a threat-actor with its
// attributed-to relationship.
func bundleOfPersons(tb testing.TB, n int) []byte {
	tb.Helper()
	now := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	var objs []json.RawMessage
	for i := 0; len(objs) < n; i++ {
		in := PersonInput{
			Name:          fmt.Sprintf("Иван Петров %d", i),
			Aliases:       []string{fmt.Sprintf("Ivan Petrov %d", i)},
			DOB:           "1979-04-12",
			Nationalities: []string{"RU"},
			Documents:     []Document{{"passport", fmt.Sprintf("72%07d", i), "RU"}},
		}
		if i%2 == 0 && n-len(objs) >= 3 {
			in.Roles, in.ActorTypes = []string{"sponsor"}, []string{"terrorist"}
		}
		o, err := NewPerson(in, TLPAmber, now)
		if err != nil {
			tb.Fatal(err)
		}
		objs = append(objs, o...)
	}
	b, err := NewBundle(objs)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func BenchmarkParse10k(b *testing.B) {
	data := bundleOfPersons(b, 10000)
	bd, err := Parse(data, Options{RequireTLP: true})
	if err != nil {
		b.Fatal(err)
	}
	objects := len(bd.Objects)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Parse(data, Options{RequireTLP: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(objects)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}
