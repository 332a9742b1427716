package parley

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/parley-dev/parley/internal/match"
)

// dlpListed is the name list of the tests: persons in the press in several
// transliterations, and ordinary English names whose parts are also words.
var dlpListed = []string{
	"Sergey Naryshkin",
	"Yevgeny Prigozhin",
	"Мария Захарова",
	"Mykola Azarov",
	"Dzhokhar Tsarnaev",
	"John Smith",
	"Grace Park",
	"Tuesday Weld",
	"Will Parker",
	"محمد الأحمد",
}

// dlpOrdinaryNames are 50 common English names, several of whose parts are
// ordinary words (will, park, may, rose, hill…).
var dlpOrdinaryNames = []string{
	"John Smith", "Mary Johnson", "James Williams", "Patricia Brown", "Robert Jones",
	"Jennifer Garcia", "Michael Miller", "Linda Davis", "William Rodriguez", "Elizabeth Martinez",
	"David Hernandez", "Barbara Lopez", "Richard Gonzalez", "Susan Wilson", "Joseph Anderson",
	"Jessica Thomas", "Thomas Taylor", "Sarah Moore", "Charles Jackson", "Karen Martin",
	"Christopher Lee", "Nancy Perez", "Daniel Thompson", "Lisa White", "Matthew Harris",
	"Betty Sanchez", "Anthony Clark", "Margaret Ramirez", "Mark Lewis", "Sandra Robinson",
	"Donald Walker", "Ashley Young", "Steven Allen", "Kimberly King", "Paul Wright",
	"Emily Scott", "Andrew Torres", "Donna Nguyen", "Joshua Hill", "Michelle Flores",
	"Will Green", "Grace Park", "Tuesday Weld", "Rose Adams", "May Baker",
	"Summer Nelson", "Hope Carter", "Jack Mitchell", "Dawn Roberts", "Faith Turner",
}

func newTestDetector(t testing.TB, names []string) *Detector {
	t.Helper()
	d, err := NewDetector(names)
	if err != nil {
		t.Fatalf("NewDetector: %v", err)
	}
	return d
}

// checkFindings checks the properties every Scan result has.
func checkFindings(t testing.TB, text string, fs []Finding) {
	t.Helper()
	if len(fs) > dlpMaxFindings {
		t.Fatalf("%d findings, at most %d", len(fs), dlpMaxFindings)
	}
	for i, f := range fs {
		if f.Offset < 0 || f.Offset+len(f.Text) > len(text) || text[f.Offset:f.Offset+len(f.Text)] != f.Text {
			t.Fatalf("finding %d %+v: Text is not text[Offset:Offset+len(Text)]", i, f)
		}
		if f.Text == "" {
			t.Fatalf("finding %d %+v: empty", i, f)
		}
		if f.Kind != "phone" && f.Kind != "email" && f.Kind != "name" {
			t.Fatalf("finding %d %+v: kind %q", i, f, f.Kind)
		}
		if i > 0 && fs[i-1].Offset+len(fs[i-1].Text) > f.Offset {
			t.Fatalf("findings %d %+v and %d %+v overlap or are out of order", i-1, fs[i-1], i, f)
		}
	}
}

// findingTexts returns the Text of the findings of one kind.
func findingTexts(fs []Finding, kind string) []string {
	var out []string
	for _, f := range fs {
		if f.Kind == kind {
			out = append(out, f.Text)
		}
	}
	return out
}

func TestScanPhones(t *testing.T) {
	tests := []struct{ name, phone string }{
		{"France international", "+33 1 23 45 67 89"},
		{"France national", "01 23 45 67 89"},
		{"France dots", "06.12.34.56.78"},
		{"France trunk in parentheses", "+33 (0)1 23 45 67 89"},
		{"Russia international", "+7 (495) 123-45-67"},
		{"Russia national with 8", "8 495 123 45 67"},
		{"Russia mobile", "8 (916) 123-45-67"},
		{"Germany international", "+49 30 1234567"},
		{"Germany slash", "030/1234567"},
		{"Germany 00 prefix", "0049 30 1234567"},
		{"USA parentheses", "(202) 555-0143"},
		{"USA dashes", "202-555-0143"},
		{"USA international", "+1 202 555 0143"},
		{"USA dots", "202.555.0143"},
		{"USA toll-free", "1-800-555-0143"},
		{"UK national", "020 7946 0958"},
		{"UK international", "+44 20 7946 0958"},
		{"UK mobile", "07700 900123"},
		{"UAE", "+971 4 123 4567"},
		{"China mobile", "+86 138 0013 8000"},
		{"Ukraine", "+380 44 123 4567"},
		{"India", "+91 98765 43210"},
		{"Poland national", "512 345 678"},
		{"Poland international", "+48 512 345 678"},
		{"Spain", "612 34 56 78"},
		{"Switzerland", "079 123 45 67"},
		{"Japan", "03-1234-5678"},
		{"Netherlands mobile", "06-12345678"},
		{"Italy", "+39 06 1234 5678"},
		{"Brazil", "+55 11 91234-5678"},
		{"international without separators", "+4930123456"},
		{"national without separators", "0612345678"},
		{"fullwidth digits", "＋３３ １ ２３ ４５ ６７ ８９"},
		{"Arabic-Indic digits", "٠٦١٢٣٤٥٦٧٨"},
		{"non-breaking spaces", "+33\u00a01\u00a023\u00a045\u00a067\u00a089"},
		{"USA local", "555-0143"},
		{"local with spaces", "123 4567"},
		{"Russia toll-free", "8-800-555-35-35"},
		{"Russia without separators", "89161234567"},
		{"UK trunk spaced", "+44 (0) 20 7946 0958"},
		{"Hong Kong", "2345 6789"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, frame := range []string{"%s", "Call me on %s tomorrow.", "Tel.: %s", "(%s)", "номер %s, звоните"} {
				text := fmt.Sprintf(frame, tt.phone)
				fs := (*Detector)(nil).Scan(text)
				checkFindings(t, text, fs)
				if got := findingTexts(fs, "phone"); len(got) != 1 || got[0] != tt.phone || len(fs) != 1 {
					t.Errorf("Scan(%q) = %v, want one phone %q", text, fs, tt.phone)
				}
			}
		})
	}
}

func TestScanNotPhones(t *testing.T) {
	tests := []struct{ name, text string }{
		{"ISO date", "The meeting is on 2026-11-23."},
		{"European date", "The meeting is on 23.11.2026."},
		{"date with slashes", "The meeting is on 23/11/2026."},
		{"US date", "The meeting is on 11/23/2026."},
		{"date and time", "See you 2026-11-23 14:30 at the station."},
		{"date range", "Closed 2026-11-23/2026-11-30."},
		{"time", "Let's say 14:30."},
		{"time range", "Open 09:00-17:30 daily."},
		{"year", "It happened in 2026."},
		{"years", "In 2019, 2020 and 2021 nothing; 2019 2020 2021 2022 were quiet."},
		{"year range", "The programme ran 2019-2026."},
		{"money with commas", "They paid 1,000,000 for it."},
		{"money with spaces and euro", "They paid 1 000 000 € for it."},
		{"money with euro first", "They paid €1 000 000 for it."},
		{"money grouped by spaces", "A budget of 12 500 000 roubles."},
		{"round millions", "A budget of 250 000 000 was voted."},
		{"money with dots", "Es kostet 1.000.000 Euro."},
		{"money with decimals", "Total: 1 234 567,89 €"},
		{"decimal", "The ratio is 1234567.89 exactly."},
		{"nine digits and currency", "They paid 512 345 678 EUR."},
		{"French IBAN", "IBAN FR76 3000 6000 0112 3456 7890 189"},
		{"British IBAN", "IBAN: GB29 NWBK 6016 1331 9268 19"},
		{"German IBAN without spaces", "DE89370400440532013000"},
		{"version", "Upgrade to version 1.2.3 please."},
		{"long version", "Build 10.0.19041.1234 is out."},
		{"IPv4 address", "The server is 192.168.100.200."},
		{"percentage", "Growth was 12.5% and 1234567% in the worst case."},
		{"short numbers", "Room 12345, flat 123 456."},
		{"sequence id", "See #41 and #4155550143 in the log."},
		{"round number", "We sold 1000000 copies."},
		{"page range", "Read pages 1200-1350."},
		{"ISBN", "ISBN 978-3-16-148410-0"},
		{"UUID", "id 550e8400-e29b-41d4-a716-446655440000"},
		{"coordinates", "48.8566, 2.3522"},
		{"numbered list", "1 2 3 4 5 6 7 8 9"},
		{"ordinal", "the 1234567th visitor"},
		{"reference with year", "Invoice 2026/000123 attached."},
		{"slashes", "Ratios 20/30/600/150 apply."},
		{"number and parenthesis", "1073741824 (2^30) bytes"},
		{"fingerprint", "Key 6179 2031 3939 36A1"},
		{"card number", "card 4111 1111 1111 1111"},
		{"grouped card number", "Код 1234-5678-9012-3456"},
		{"en dash range", "ports 1000–59999"},
		{"wide range", "ids 10000-100000"},
		{"spaced range", "uids 1000 - 59999"},
		{"ZIP+4", "Boston, MA 02110-1301, USA"},
		{"standard", "POSIX 1003.1-2001"},
		{"same digit", "max 999.999.999"},
		{"population", "Tickets cost 1 200 000 rubles; 8 336 817 live there."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := (*Detector)(nil).Scan(tt.text)
			checkFindings(t, tt.text, fs)
			if len(fs) != 0 {
				t.Errorf("Scan(%q) = %v, want none", tt.text, fs)
			}
		})
	}
}

func TestScanEmails(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"plain", "write to a@b.fr today", "a@b.fr"},
		{"plus and dots", "john.doe+tag@example.co.uk", "john.doe+tag@example.co.uk"},
		{"apostrophe", "o'brien@example.ie", "o'brien@example.ie"},
		{"underscore and dash", "mail user_name-1@sub.example.org.", "user_name-1@sub.example.org"},
		{"Cyrillic", "пишите: иван@пример.рф", "иван@пример.рф"},
		{"IDN", "josé@exämple.es", "josé@exämple.es"},
		{"punycode", "a@xn--80ak6aa92e.xn--p1ai", "a@xn--80ak6aa92e.xn--p1ai"},
		{"angle brackets", "Ivan <ivan@example.com>", "ivan@example.com"},
		{"square brackets", "name [at] example [dot] org", "name [at] example [dot] org"},
		{"parentheses", "name (at) example.org", "name (at) example.org"},
		{"parentheses close", "name(at)example(dot)org", "name(at)example(dot)org"},
		{"words", "write to name at example dot org please", "name at example dot org"},
		{"capital words", "NAME AT EXAMPLE DOT ORG", "NAME AT EXAMPLE DOT ORG"},
		{"at sign and dot word", "name@example[dot]org", "name@example[dot]org"},
		{"fullwidth at", "name＠example.org", "name＠example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := (*Detector)(nil).Scan(tt.text)
			checkFindings(t, tt.text, fs)
			if got := findingTexts(fs, "email"); len(got) != 1 || got[0] != tt.want || len(fs) != 1 {
				t.Errorf("Scan(%q) = %v, want one e-mail %q", tt.text, fs, tt.want)
			}
		})
	}
	for _, text := range []string{
		"user at home", "I work at example.org", "@handle", "foo@bar", "a@b.c", "price @ 5.00",
		"look at it", "meet at the office. Dot matrix printers", "x@-example.org", "a..b@example.org",
	} {
		t.Run("not "+text, func(t *testing.T) {
			if fs := (*Detector)(nil).Scan(text); len(fs) != 0 {
				t.Errorf("Scan(%q) = %v, want none", text, fs)
			}
		})
	}
}

func TestScanNames(t *testing.T) {
	d := newTestDetector(t, dlpListed)
	tests := []struct {
		name, text string
		want       []string // Text of the name findings
	}{
		{"Cyrillic for Latin", "Вчера приехал Сергей Нарышкин.", []string{"Сергей Нарышкин"}},
		{"French transliteration", "Sergueï Narychkine a parlé hier.", []string{"Sergueï Narychkine"}},
		{"surname first", "Naryshkin, Sergey: see the file.", []string{"Naryshkin, Sergey"}},
		{"initial", "We met S. Naryshkin in Minsk.", []string{"S. Naryshkin"}},
		{"patronymic the list lacks", "Sergey Evgenyevich Naryshkin spoke.", []string{"Sergey Evgenyevich Naryshkin"}},
		{"surname alone in Cyrillic", "Потом выступил Нарышкин.", []string{"Нарышкин"}},
		{"surname alone, French", "Selon Narychkine, rien.", []string{"Narychkine"}},
		{"surname alone in capitals", "MEET NARYSHKIN AT NOON", []string{"NARYSHKIN"}},
		{"surname alone first in sentence", "Naryshkin said nothing.", []string{"Naryshkin"}},
		{"instrumental case", "Вчера говорили с Нарышкиным.", []string{"Нарышкиным"}},
		{"genitive case", "У Сергея Нарышкина нет времени.", []string{"Сергея Нарышкина"}},
		{"Prigozhin", "A statement by Prigozhin.", []string{"Prigozhin"}},
		{"Prigojine", "Une déclaration de Prigojine.", []string{"Prigojine"}},
		{"Пригожин", "Заявление Пригожина и слова Пригожин.", []string{"Пригожина", "Пригожин"}},
		{"Евгений Пригожин", "Евгений Пригожин заявил.", []string{"Евгений Пригожин"}},
		{"German transliteration", "Jewgeni Prigoschin sagte.", []string{"Jewgeni Prigoschin"}},
		{"feminine surname alone", "Брифинг провела Захарова.", []string{"Захарова"}},
		{"Latin for Cyrillic", "Maria Zakharova said.", []string{"Maria Zakharova"}},
		{"cognate given name", "Nikolai Azarov resigned.", []string{"Nikolai Azarov"}},
		{"Ukrainian", "Микола Азаров пішов у відставку.", []string{"Микола Азаров"}},
		{"French press", "Djokhar Tsarnaïev a été jugé.", []string{"Djokhar Tsarnaïev"}},
		{"title", "Ask Dr. Smith.", []string{"Smith"}},
		{"full name in lower case", "i saw john smith yesterday", []string{"john smith"}},
		{"Arabic script for Latin", "Mohamed Al-Ahmad is here.", []string{"Mohamed Al-Ahmad"}},
		{"two names", "Narychkine et Prigojine.", []string{"Narychkine", "Prigojine"}},
		{"possessive", "Naryshkin's office called.", []string{"Naryshkin"}},
		{"elision", "La déclaration d'Evgueni Prigojine.", []string{"Evgueni Prigojine"}},
		{"apostrophe inside", "O'Naryshkin is not him.", nil},
		// Negatives.
		{"given name alone", "Sergey called, and John too.", nil},
		{"surname as a word", "We walked in the park.", nil},
		{"short surname capitalised", "We walked in Park Avenue.", nil},
		{"surname in lower case", "naryshkin is not capitalised here", nil},
		{"unrelated person", "Sergei Lavrov and Ivan Petrov met.", nil},
		{"unrelated Cyrillic person", "Сергей Лавров и Иван Петров встретились.", nil},
		{"relative", "Alexander Naryshkin wrote.", []string{"Naryshkin"}},
		{"given names of two people", "Will and Grace went out.", nil},
		{"inside an e-mail address", "sergey.naryshkin@example.ru", nil},
		{"given name and an initial", "Ask Sergei N. about it.", nil},
		{"one-letter words", "Я с Нарышкиным и с ним.", []string{"Нарышкиным"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := d.Scan(tt.text)
			checkFindings(t, tt.text, fs)
			if got := findingTexts(fs, "name"); !slices.Equal(got, tt.want) {
				t.Errorf("Scan(%q) names = %q, want %q\n%v", tt.text, got, tt.want, fs)
			}
		})
	}
}

// TestScanLookalikes checks words that the matcher finds close to short
// listed surnames (Vice ≈ Vists, Чаще ≈ Khash): they are not a surname alone.
func TestScanLookalikes(t *testing.T) {
	d := newTestDetector(t, []string{"Zainab al-Khash", "Zakaria al-Zaghal", "Hans Vists", "Jack Mitchell", "Charles Lateks", "Nabil Ranishi"})
	tests := []struct {
		text string
		want []string
	}{
		{"Чаще всего так.", nil},
		{"Загалом все добре.", nil},
		{"Раніше було інакше.", nil},
		{"The Vice President spoke.", nil},
		{"Michel est venu hier.", nil},
		{"Typeset with LaTeX.", nil},
		{"Then Khash spoke.", []string{"Khash"}},
		{"Then Mitchell spoke.", []string{"Mitchell"}},
		{"Then Hans Vists spoke.", []string{"Hans Vists"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			fs := d.Scan(tt.text)
			checkFindings(t, tt.text, fs)
			if got := findingTexts(fs, "name"); !slices.Equal(got, tt.want) {
				t.Errorf("Scan(%q) = %v, want names %q", tt.text, fs, tt.want)
			}
		})
	}
}

func TestScanOrdinarySentence(t *testing.T) {
	d := newTestDetector(t, dlpOrdinaryNames)
	tests := []struct {
		text string
		want []string
	}{
		{"We will meet on Tuesday in the park", nil},
		{"We will meet on Tuesday in the park.", nil},
		{"WE WILL MEET ON TUESDAY IN THE PARK", nil},
		{"Will you meet me on Tuesday? I hope we may walk by the rose garden and the hill.", nil},
		{"The king may turn white with the summer dawn; faith and hope, grace.", nil},
		{"Share it as TLP:GREEN or TLP:WHITE only.", nil},
		{"Young people came. The young are always welcome.", nil},
		{"Young came. Nobody else did.", []string{"Young"}}, // Ashley Young's surname, not written in lower case elsewhere
		{"The tea was served by Green.", []string{"Green"}}, // Will Green's surname, capitalised mid-sentence
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			fs := d.Scan(tt.text)
			checkFindings(t, tt.text, fs)
			if got := findingTexts(fs, "name"); !slices.Equal(got, tt.want) || len(fs) != len(got) {
				t.Errorf("Scan(%q) = %v, want names %q", tt.text, fs, tt.want)
			}
		})
	}
}

func TestFindingString(t *testing.T) {
	d := newTestDetector(t, dlpListed)
	fs := d.Scan("Нарышкин: +33 1 23 45 67 89, a@b.fr")
	var got []string
	for _, f := range fs {
		got = append(got, f.String())
	}
	want := []string{`name "Нарышкин" (listed as Sergey Naryshkin)`, `phone number "+33 1 23 45 67 89"`, `e-mail address "a@b.fr"`}
	if !slices.Equal(got, want) {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if !strings.Contains(fs[0].Detail, "surname Naryshkin ≈ Нарышкин") {
		t.Errorf("Detail = %q, want the match evidence", fs[0].Detail)
	}
}

func TestScanLimitsAndOverlaps(t *testing.T) {
	d := newTestDetector(t, dlpListed)
	t.Run("at most 20", func(t *testing.T) {
		text := strings.Repeat("Naryshkin +33 1 23 45 67 89 a@b.fr ", 50)
		fs := d.Scan(text)
		checkFindings(t, text, fs)
		if len(fs) != dlpMaxFindings {
			t.Errorf("%d findings, want %d", len(fs), dlpMaxFindings)
		}
	})
	t.Run("longest kept", func(t *testing.T) {
		text := "write to +79161234567@example.ru or Sergey.Naryshkin@example.ru"
		fs := d.Scan(text)
		checkFindings(t, text, fs)
		if got := findingTexts(fs, "email"); len(fs) != 2 || !slices.Equal(got, []string{"+79161234567@example.ru", "Sergey.Naryshkin@example.ru"}) {
			t.Errorf("Scan = %v, want the two addresses only", fs)
		}
	})
	t.Run("one megabyte", func(t *testing.T) {
		filler := strings.Repeat("Ordinary words, numbers 12 345 and dates 2026-11-23 without anything to find. ", dlpMaxScanBytes/70)
		filler = filler[:dlpMaxScanBytes-len(" Naryshkin")]
		text := filler + " Naryshkin"
		if fs := d.Scan(text); len(findingTexts(fs, "name")) != 1 {
			t.Errorf("Scan = %v, want the name at the end of the first MiB", fs)
		}
		text = filler + "    Naryshkin"
		if fs := d.Scan(text); len(fs) != 0 {
			t.Errorf("Scan = %v, want none: the name is past the first MiB", fs)
		}
	})
	t.Run("invalid UTF-8", func(t *testing.T) {
		text := "\xffNaryshkin\xfe +33 1 23\xc0 45 67 89 a@b\xff.fr"
		checkFindings(t, text, d.Scan(text))
	})
}

func TestScanConcurrent(t *testing.T) {
	d := newTestDetector(t, dlpListed)
	findingTexts := []string{
		"Вчера приехал Сергей Нарышкин, +7 (495) 123-45-67.",
		"Sergueï Narychkine: name [at] example [dot] org",
		"Заявление Пригожина и слова Пригожин.",
		dlpLetter(t),
	}
	want := make([][]Finding, len(findingTexts))
	for i, text := range findingTexts {
		want[i] = newTestDetector(t, dlpListed).Scan(text)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range 50 {
				i := (g + k) % len(findingTexts)
				if got := d.Scan(findingTexts[i]); !slices.Equal(got, want[i]) {
					t.Errorf("concurrent Scan(%.30q) = %v, want %v", findingTexts[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestNewDetectorErrors(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		want  string
	}{
		{"empty", []string{"Sergey Naryshkin", ""}, `name 1 "": unusable name: has no letters`},
		{"no letters", []string{"12 34"}, `name 0 "12 34": unusable name: has no letters`},
		{"not UTF-8", []string{"a", "b", "\xff"}, `name 2 "\xff": unusable name: not UTF-8`},
		{"control", []string{"a\nb"}, `name 0 "a\nb": unusable name: holds a control character`},
		{"too long", []string{strings.Repeat("a", 257)}, "name 0 \"" + strings.Repeat("a", 40) + "…\": unusable name: longer than 256 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewDetector(tt.names)
			if err == nil || err.Error() != tt.want || !errors.Is(err, errUnusableName) {
				t.Errorf("NewDetector(%q) = %v, want %s", tt.names, err, tt.want)
			}
		})
	}
	t.Run("nil", func(t *testing.T) {
		d, err := NewDetector(nil)
		if err != nil {
			t.Fatal(err)
		}
		if fs := d.Scan("Naryshkin +33 1 23 45 67 89"); len(fs) != 1 || fs[0].Kind != "phone" {
			t.Errorf("Scan = %v, want the phone number only", fs)
		}
	})
}

func TestReadNames(t *testing.T) {
	tests := []struct {
		name, file string
		want       []string
		err        string
	}{
		{"comments and blanks", "\uFEFF# persons\nSergey Naryshkin\r\n\n   \n  Yevgeny Prigozhin  \n#Maria\n", []string{"Sergey Naryshkin", "Yevgeny Prigozhin"}, ""},
		{"no newline at end", "Мария Захарова", []string{"Мария Захарова"}, ""},
		{"bad lines", "ok\n12345\nfine\n\xff\n", nil, "read names: line 2: unusable name: has no letters\nline 4: unusable name: not UTF-8"},
		{"long line", "ok\n" + strings.Repeat("a", 2000) + "\n", nil, "read names: line 2: unusable name: longer than 1024 bytes"},
		{"long name", "ok\n" + strings.Repeat("a", 300) + "\n", nil, "read names: line 2: unusable name: longer than 256 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadNames(strings.NewReader(tt.file))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err || !errors.Is(err, errUnusableName) {
					t.Errorf("ReadNames error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("ReadNames = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestDigitValue(t *testing.T) {
	for _, tab := range [][]rune{{'0', '9'}, {'０', '９'}, {'٠', '٩'}, {'۰', '۹'}, {'०', '९'}, {0x1D7CE, 0x1D7FF}} {
		for r := tab[0]; r <= tab[1]; r++ {
			if got, want := digitValue(r), int(r-tab[0])%10; got != want {
				t.Errorf("digitValue(%U) = %d, want %d", r, got, want)
			}
		}
	}
	for _, r := range []rune{'a', '²', '½', 'Ⅳ', -1, utf8.RuneError} {
		if got := digitValue(r); got != -1 {
			t.Errorf("digitValue(%U) = %d, want -1", r, got)
		}
	}
}

func FuzzScan(f *testing.F) {
	d := newTestDetector(f, dlpListed)
	for _, s := range []string{
		"", "+33 1 23 45 67 89", "name [at] example [dot] org", "Сергея Нарышкина", "S. Naryshkin, +7 (495) 123-45-67",
		"(((+1 (2) 3", "a@b.fr@c.de", "2026-11-23 14:30", "\xff\xfe+\xff1", "NARYSHKIN x@y.zz ０６１２３４５６７８",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkFindings(t, text, d.Scan(text))
	})
}

// dlpLetter is a 10 KB letter in English and Russian with one phone
// number, one e-mail address, numbers that are not phone numbers (dates,
// a time, a reference, an amount, a version) and no names.
func dlpLetter(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "dlp", "letter.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestScanLetter(t *testing.T) {
	text := dlpLetter(t)
	lists := []struct {
		name  string
		names []string
	}{{"test list", dlpListed}, {"ordinary names", dlpOrdinaryNames}, {"1,000 synthetic names", dlpBenchNames(t)}}
	for _, l := range lists {
		t.Run(l.name, func(t *testing.T) {
			fs := newTestDetector(t, l.names).Scan(text)
			checkFindings(t, text, fs)
			var got []string
			for _, f := range fs {
				got = append(got, f.String())
			}
			want := []string{`phone number "+33 1 23 45 67 89"`, `e-mail address "secretariat@example.org"`}
			if !slices.Equal(got, want) {
				t.Errorf("Scan(letter) = %q, want %q", got, want)
			}
		})
	}
}

func dlpBenchNames(t testing.TB) []string {
	var names []string
	for _, e := range match.Synthetic(1000, 1) {
		names = append(names, e.Name)
	}
	return names
}

// BenchmarkScan scans a 10 KB letter against a 1,000-name list, the
// detector's memory of analysed words warm (the steady state of a node).
func BenchmarkScan(b *testing.B) {
	d := newTestDetector(b, dlpBenchNames(b))
	text := dlpLetter(b)
	d.Scan(text)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		d.Scan(text)
	}
}

// BenchmarkScanCold is BenchmarkScan with the memory of analysed words
// emptied before every scan: every distinct word is analysed.
func BenchmarkScanCold(b *testing.B) {
	d := newTestDetector(b, dlpBenchNames(b))
	text := dlpLetter(b)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		d.mu.Lock()
		clear(d.memo)
		d.mu.Unlock()
		d.Scan(text)
	}
}
