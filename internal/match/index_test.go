package match

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

func testIndex(t testing.TB) *Index {
	t.Helper()
	ix := NewIndex()
	entries := []Entry{
		{ID: "naryshkin", Name: "Нарышкин Сергей Евгеньевич", Aliases: []string{"Sergey Naryshkin"}, DOB: "1954-10-27", Nationalities: []string{"RU"}},
		{ID: "prigozhin", Name: "Пригожин Евгений Викторович", DOB: "1961-06-01", Nationalities: []string{"RU"}},
		{ID: "dzhokhar", Name: "Джохар Анзорович Царнаев", DOB: "1993-07-22"},
		{ID: "naryshkina", Name: "Ольга Нарышкина", DOB: "1980"},
		{ID: "ivanov-1970", Name: "Ivan Ivanovich Ivanov", DOB: "1970-03-05"},
		{ID: "masri", Name: "Mohammed bin Abdulrahman al-Masri", Aliases: []string{"محمد عبد الرحمن المصري"}},
		{ID: "zelensky", Name: "Зеленський Олександр Миколайович"},
		{ID: "smith", Name: "John Michael Smith", DOB: "1966"},
		{ID: "mueller", Name: "Jürgen Müller"},
	}
	for i, err := range ix.AddAll(entries) {
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	return ix
}

// top returns the best hit's id and score, or "" and 0.
func top(ix *Index, q Query) (string, float64) {
	hits := ix.Match(q, 10)
	if len(hits) == 0 {
		return "", 0
	}
	return hits[0].ID, hits[0].Score
}

func TestMatchVariants(t *testing.T) {
	ix := testIndex(t)
	tests := []struct {
		q    string
		dob  string
		want string
	}{
		{"Sergueï Narychkine", "", "naryshkin"},
		{"Naryschkin, Sergej", "", "naryshkin"},
		{"Naryškin Sergej Evgen'evič", "", "naryshkin"},
		{"S. E. Naryshkin", "", "naryshkin"},
		{"NARYSHKIN SERGEI", "1954-10-27", "naryshkin"},
		{"Sergey Naryshkni", "", "naryshkin"},
		{"Evgueni Prigojine", "", "prigozhin"},
		{"Jewgeni Prigoschin", "", "prigozhin"},
		{"Prigozhin Yevgeny Viktorovich", "1961", "prigozhin"},
		{"Dzhokhar Tsarnaev", "", "dzhokhar"},
		{"Tsarnaïev Djokhar", "", "dzhokhar"},
		{"Dschochar Zarnajew", "", "dzhokhar"},
		{"Džohar Carnaev", "", "dzhokhar"},
		{"Olga Naryshkina", "", "naryshkina"},
		{"Muhammad Abd al-Rahman el-Masri", "", "masri"},
		{"Mohamed Abderrahmane Masri", "", "masri"},
		{"محمد المصري", "", "masri"},
		{"Oleksandr Zelenskyi", "", "zelensky"},
		{"Aleksandr Zelensky", "", "zelensky"},
		{"Smith, John", "", "smith"},
		{"J. M. Smith", "", "smith"},
		{"Juergen Mueller", "", "mueller"},
		{"Jurgen Muller", "", "mueller"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			id, score := top(ix, Query{Name: tt.q, DOB: tt.dob})
			if id != tt.want || score < DefaultThreshold {
				t.Errorf("top hit %q %.3f, want %q at or above %.2f", id, score, tt.want, DefaultThreshold)
			}
		})
	}
}

// Hard negatives: relatives sharing a surname, namesakes born in another
// year, similar but different names, people not listed.
func TestMatchNegatives(t *testing.T) {
	ix := testIndex(t)
	tests := []struct{ q, dob string }{
		{"Tamerlan Tsarnaev", ""},            // brother
		{"Tamerlan Anzorovich Tsarnaev", ""}, // brother, same patronymic
		{"Anzor Tsarnaev", ""},               // father
		{"Alexei Sergeyevich Naryshkin", ""}, // son
		{"Olga Naryshkin", ""},               // relative, masculine surname form
		{"Sergei Naryshkina", ""},            //
		{"Ivan Ivanov", "1990-01-01"},        // namesake, 20 years younger
		{"Ivan Petrovich Ivanov", ""},        // another patronymic
		{"Ivan Ivanovsky", ""},               // another family
		{"Sergei Naryshkov", ""},             //
		{"Yevgeny Prigozhenko", ""},          //
		{"Ahmed Abdulrahman al-Masri", ""},   // brother
		{"John Smithson", ""},                //
		{"Boris Johnson", ""},                // not listed
		{"Mária Müllerová", ""},              //
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			if id, score := top(ix, Query{Name: tt.q, DOB: tt.dob}); score >= DefaultThreshold {
				t.Errorf("top hit %q %.3f, want below %.2f", id, score, DefaultThreshold)
			}
		})
	}
}

func TestEvidence(t *testing.T) {
	ix := testIndex(t)
	hits := ix.Match(Query{Name: "Evgueni Prigojine", DOB: "1961-06-01"}, 1)
	if len(hits) != 1 {
		t.Fatalf("got %d hits, want 1", len(hits))
	}
	got := hits[0].Explain()
	for _, want := range []string{"surname Пригожин ≈ Prigojine via French transliteration", "given name Евгений ≈ Evgueni via French transliteration",
		"patronymic Викторович not in the query", "DOB matches"} {
		if !strings.Contains(got, want) {
			t.Errorf("evidence %q does not contain %q", got, want)
		}
	}
}

func TestDateEvidence(t *testing.T) {
	ix := testIndex(t)
	const name = "Sergueï Narychkine"
	_, none := top(ix, Query{Name: name})
	_, same := top(ix, Query{Name: name, DOB: "1954-10-27"})
	_, year := top(ix, Query{Name: name, DOB: "1954"})
	_, other := top(ix, Query{Name: name, DOB: "1975-01-01"})
	if !(same > year && year > none && none > other) {
		t.Errorf("scores by date: same %.3f, year %.3f, none %.3f, other %.3f; want decreasing", same, year, none, other)
	}
	_, bad := top(ix, Query{Name: name, DOB: "yesterday"})
	if bad != none {
		t.Errorf("a malformed query date changed the score: %.3f, want %.3f", bad, none)
	}
	_, nat := top(ix, Query{Name: name, Nationality: "ru"})
	_, other = top(ix, Query{Name: name, Nationality: "UA"})
	if !(nat > none && none > other) {
		t.Errorf("scores by nationality: same %.3f, none %.3f, other %.3f; want decreasing", nat, none, other)
	}
}

func TestAddErrors(t *testing.T) {
	ix := NewIndex()
	tests := []struct {
		e    Entry
		want error
	}{
		{Entry{ID: "", Name: "Ivan"}, ErrNoID},
		{Entry{ID: "  ", Name: "Ivan"}, ErrNoID},
		{Entry{ID: "a\xff", Name: "Ivan"}, ErrBadID},
		{Entry{ID: strings.Repeat("x", MaxIDBytes+1), Name: "Ivan"}, ErrBadID},
		{Entry{ID: "x", Name: ""}, ErrNoName},
		{Entry{ID: "x", Name: "?!-- ..."}, ErrNoName},
		{Entry{ID: "x", Name: "Ivan", DOB: "1970-02-30"}, ErrBadDate},
		{Entry{ID: "x", Name: "Ivan", DOB: "70"}, ErrBadDate},
	}
	for _, tt := range tests {
		if err := ix.Add(tt.e); !errors.Is(err, tt.want) {
			t.Errorf("Add(%+v) = %v, want %v", tt.e, err, tt.want)
		}
	}
	if ix.Len() != 0 {
		t.Errorf("invalid entries were added: Len() = %d", ix.Len())
	}
	// An entry with one unusable alias is added; the alias is ignored.
	if err := ix.Add(Entry{ID: "x", Name: "Ivan Ivanov", Aliases: []string{"", "---"}}); err != nil {
		t.Errorf("Add with empty aliases: %v", err)
	}
}

func TestAddReplaceRemove(t *testing.T) {
	ix := testIndex(t)
	n := ix.Len()
	if err := ix.Add(Entry{ID: "smith", Name: "Jane Doe"}); err != nil {
		t.Fatal(err)
	}
	if ix.Len() != n {
		t.Errorf("replacing an entry changed Len from %d to %d", n, ix.Len())
	}
	if id, score := top(ix, Query{Name: "John Smith"}); id == "smith" && score >= DefaultThreshold {
		t.Errorf("the replaced name still matches: %.3f", score)
	}
	if id, _ := top(ix, Query{Name: "Jane Doe"}); id != "smith" {
		t.Errorf("the new name does not match: top %q", id)
	}
	if !ix.Remove("smith") || ix.Remove("smith") {
		t.Error("Remove did not report the entry once")
	}
	if id, _ := top(ix, Query{Name: "Jane Doe"}); id == "smith" {
		t.Error("a removed entry still matches")
	}
	if ix.Has("smith") || !ix.Has("naryshkin") {
		t.Error("Has is wrong after Remove")
	}
	// Free slots outnumbering a batch.
	for _, id := range []string{"naryshkin", "prigozhin", "dzhokhar"} {
		ix.Remove(id)
	}
	if errs := ix.AddAll([]Entry{{ID: "p", Name: "Пригожин Евгений"}}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	// The slot is reused.
	if err := ix.Add(Entry{ID: "doe", Name: "Jane Doe"}); err != nil {
		t.Fatal(err)
	}
	if id, _ := top(ix, Query{Name: "Jane Doe"}); id != "doe" {
		t.Errorf("top %q after reuse, want doe", id)
	}
}

func TestMatchBadInput(t *testing.T) {
	ix := testIndex(t)
	inputs := []string{"", "   ", "?!?--..", "\xff\xfe\xfd", strings.Repeat("Naryshkin ", 1000),
		strings.Repeat("Нарышкин", 1250), "Нaрышкин Sеrgеy", "N", "Ж", "ا", "Naryshkin\x00Sergey", "🙂🙂"}
	for _, in := range inputs {
		hits := ix.Match(Query{Name: in, DOB: in, Nationality: in}, 10)
		for _, h := range hits {
			if h.Score < 0 || h.Score > 1 {
				t.Errorf("Match(%.20q): score %v out of [0,1]", in, h.Score)
			}
		}
	}
	if hits := ix.Match(Query{Name: "?!"}, 10); hits != nil {
		t.Errorf("a name of punctuation matched %d entries", len(hits))
	}
	if id, _ := top(ix, Query{Name: "Нaрышкин Сергей"}); id != "naryshkin" {
		t.Errorf("homoglyph query: top %q, want naryshkin", id)
	}
	if hits := NewIndex().Match(Query{Name: "Ivan"}, 10); hits != nil {
		t.Error("an empty index returned hits")
	}
}

// Deterministic: the order of insertion does not change the results.
func TestMatchDeterministic(t *testing.T) {
	es := Synthetic(2000, 3)
	qs := SyntheticQueries(es, 200, 4)
	a, b := NewIndex(), NewIndex()
	a.AddAll(es)
	rev := make([]Entry, len(es))
	for i, e := range es {
		rev[len(es)-1-i] = e
	}
	for _, e := range rev {
		if err := b.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range qs {
		ha, hb := a.Match(q.Query, 5), b.Match(q.Query, 5)
		if fmt.Sprint(ids(ha), scores(ha)) != fmt.Sprint(ids(hb), scores(hb)) {
			t.Fatalf("%q: %v %v and %v %v", q.Name, ids(ha), scores(ha), ids(hb), scores(hb))
		}
	}
}

func ids(hs []Hit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.ID)
	}
	return out
}

func scores(hs []Hit) []float64 {
	var out []float64
	for _, h := range hs {
		out = append(out, h.Score)
	}
	return out
}

// Readers and writers at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	es := Synthetic(3000, 5)
	qs := SyntheticQueries(es, 300, 6)
	ix := NewIndex()
	ix.AddAll(es[:1000])
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				for _, h := range ix.Match(qs[(i+w*7)%len(qs)].Query, 10) {
					if h.Score < 0 || h.Score > 1 || h.ID == "" {
						t.Errorf("bad hit %+v", h)
					}
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		r := rand.New(rand.NewPCG(1, 2))
		for i := 1000; i < len(es); i += 50 {
			ix.AddAll(es[i : i+50])
			ix.Remove(es[r.IntN(i)].ID)
		}
	}()
	wg.Wait()
	if n := ix.Len(); n < 2900 || n > 3000 {
		t.Errorf("Len() = %d after adding 3000 and removing at most 40", n)
	}
}

func TestStats(t *testing.T) {
	ix := testIndex(t)
	s := ix.Stats()
	if s.Entries != 9 || s.Names != 11 || s.Terms == 0 || s.Keys == 0 || s.Postings == 0 || s.Bytes == 0 {
		t.Errorf("Stats() = %+v", s)
	}
}

func ExampleIndex_Match() {
	ix := NewIndex()
	ix.Add(Entry{ID: "ru-0001", Name: "Нарышкин Сергей Евгеньевич", DOB: "1954-10-27"})
	ix.Add(Entry{ID: "ru-0002", Name: "Нарышкина Ольга"})
	for _, h := range ix.Match(Query{Name: "Sergueï Narychkine", DOB: "1954-10-27"}, 2) {
		fmt.Printf("%s %.2f %s\n", h.ID, h.Score, h.Explain())
	}
	// Output:
	// ru-0001 0.96 surname Нарышкин ≈ Narychkine via French transliteration; given name Сергей ≈ Sergueï via French transliteration; patronymic Евгеньевич not in the query; DOB matches
}
