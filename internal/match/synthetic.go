package match

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
)

// Synthetic watchlists, for benchmarks: the same seed gives the same list.
// Names are drawn from pools of real given names and from pools of surnames
// built of syllables and the usual endings (100,000 Cyrillic, 30,000 Arabic,
// 40,000 Western), surnames with a Zipf law as in real populations, so that
// a list of a million has the spread of a real one (a few hundred given
// names, some hundred thousand surnames, the commonest held by thousands): 45% Russian and Ukrainian written in Cyrillic
// (half with an English alias), 15% Russian in Latin only, 8% Chechen, 17%
// Arabic, 15% Western. The accuracy measured on it is not evidence of
// anything (the variants are made by this package's own transliteration);
// only its speed and memory are.

var (
	synRuMale = strings.Fields("Александр Алексей Анатолий Андрей Антон Аркадий Артём Борис Вадим Валентин " +
		"Валерий Василий Виктор Виталий Владимир Владислав Вячеслав Геннадий Георгий Глеб Григорий Даниил " +
		"Денис Дмитрий Евгений Егор Иван Игорь Илья Кирилл Константин Леонид Максим Михаил Никита Николай " +
		"Олег Павел Пётр Роман Руслан Сергей Станислав Степан Тимофей Фёдор Юрий Яков Ярослав Эдуард Семён " +
		"Матвей Лев Тимур Захар Арсений Богдан Марк Герман Филипп Остап Тарас Всеволод Святослав")
	synRuFemale = strings.Fields("Александра Алина Анастасия Анна Валентина Валерия Вера Виктория Галина Дарья " +
		"Евгения Екатерина Елена Елизавета Жанна Зоя Инна Ирина Карина Ксения Лариса Любовь Людмила Маргарита " +
		"Марина Мария Надежда Наталья Нина Оксана Ольга Полина Раиса Светлана София Тамара Татьяна Юлия Яна")
	synChechen = strings.Fields("Джохар Рамзан Ахмат Шамиль Аслан Муса Ислам Адам Магомед Хасан Хусейн Ибрагим " +
		"Умар Зелимхан Тамерлан Салман Иса Арби Ваха Султан Аюб Хамзат Юсуп Билал Мовсар Адлан Апти Бислан")
	synArabic = strings.Fields("Mohammed Ahmed Ali Omar Khalid Youssef Ibrahim Hassan Hussein Abdullah " +
		"Abdulrahman Mustafa Tariq Karim Samir Walid Nabil Faisal Hamza Bilal Osama Yasser Ziad Rami Majid " +
		"Saeed Fahad Nasser Jamal Adel Amin Anwar Bashir Fadi Ghassan Hisham Imad Kamal Mahmoud Marwan Nizar " +
		"Qasim Rashid Salah Talal Wael Yahya Zakaria Fatima Aisha Maryam Zainab Khadija Layla Noor Huda Amina")
	synWestern = strings.Fields("John James Robert Michael William David Richard Joseph Thomas Charles Daniel " +
		"Matthew Anthony Mark Paul Steven Andrew Kenneth George Jean Pierre Jacques Philippe Louis Hans Klaus " +
		"Wolfgang Jürgen Stefan Juan Carlos José Luis Miguel Giovanni Marco Luca Mary Patricia Jennifer Linda " +
		"Elizabeth Susan Marie Anne Sophie Ingrid Maria Carmen Giulia Emma Olivia")
	synCyrC   = []rune("бвгджзклмнпрстфхцчшщ")
	synCyrV   = []rune("аоеиуыя")
	synCyrEnd = []string{"ов", "ев", "ин", "ский", "енко", "ук", "ко", "ян", "швили", "ович", "ов", "ев", "ин"}
	synLatC   = []string{"b", "d", "f", "h", "j", "k", "l", "m", "n", "q", "r", "s", "t", "z", "kh", "sh", "gh"}
	synLatV   = []string{"a", "i", "u", "a"}
	synWestC  = []string{"b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "st", "tr", "gr"}
	synWestV  = []string{"a", "e", "i", "o", "u", "ei", "ou"}
	synWestE  = []string{"son", "er", "man", "ez", "ini", "ot", "eau", "mann", "berg", "stein", "ford", "ley", "ton", "s", ""}
)

type synGen struct {
	r                  *rand.Rand
	cyr, arab, west    []string
	zCyr, zArab, zWest *rand.Zipf
}

// synPools are the surname pools, the same for every seed.
var synPools = sync.OnceValue(func() [3][]string {
	g := synGen{r: rand.New(rand.NewPCG(7, 7))}
	var p [3][]string
	seen := map[string]bool{}
	for len(p[0]) < 100_000 {
		if s := g.cyrRoot() + g.pick(synCyrEnd); !seen[s] {
			seen[s] = true
			p[0] = append(p[0], s)
		}
	}
	for len(p[1]) < 30_000 {
		s := g.latWord(synLatC, synLatV, 1+g.r.IntN(2))
		if g.r.IntN(2) == 0 {
			s = "al-" + s
		} else {
			s += "i"
		}
		if !seen[s] {
			seen[s] = true
			p[1] = append(p[1], s)
		}
	}
	for len(p[2]) < 40_000 {
		if s := g.latWord(synWestC, synWestV, 1+g.r.IntN(2)) + g.pick(synWestE); !seen[s] {
			seen[s] = true
			p[2] = append(p[2], s)
		}
	}
	return p
})

func newSynGen(seed, stream uint64) synGen {
	p := synPools()
	r := rand.New(rand.NewPCG(seed, stream))
	z := func(n int) *rand.Zipf { return rand.NewZipf(r, 1.1, 20, uint64(n-1)) }
	return synGen{r: r, cyr: p[0], arab: p[1], west: p[2], zCyr: z(len(p[0])), zArab: z(len(p[1])), zWest: z(len(p[2]))}
}

func (g synGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g synGen) cyrRoot() string {
	var b []rune
	for range 2 + g.r.IntN(2) {
		b = append(b, synCyrC[g.r.IntN(len(synCyrC))], synCyrV[g.r.IntN(len(synCyrV))])
	}
	b = append(b, synCyrC[g.r.IntN(len(synCyrC))])
	b[0] = []rune(strings.ToUpper(string(b[0])))[0]
	return string(b)
}

func feminine(surname string) string {
	for _, p := range [][2]string{{"ский", "ская"}, {"ов", "ова"}, {"ев", "ева"}, {"ин", "ина"}} {
		if strings.HasSuffix(surname, p[0]) {
			return strings.TrimSuffix(surname, p[0]) + p[1]
		}
	}
	return surname
}

func patronymic(father string, female bool) string {
	stem := strings.TrimSuffix(strings.TrimSuffix(father, "й"), "ь")
	switch {
	case female && strings.HasSuffix(father, "й"):
		return stem + "евна"
	case female:
		return stem + "овна"
	case strings.HasSuffix(father, "й"):
		return stem + "евич"
	}
	return stem + "ович"
}

func (g synGen) latWord(cons, vows []string, syl int) string {
	var b strings.Builder
	for range syl {
		b.WriteString(g.pick(cons))
		b.WriteString(g.pick(vows))
	}
	b.WriteString(g.pick(cons))
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

func (g synGen) dob() string {
	switch n := g.r.IntN(10); {
	case n < 8:
		return fmt.Sprintf("%04d-%02d-%02d", 1940+g.r.IntN(66), 1+g.r.IntN(12), 1+g.r.IntN(28))
	case n < 9:
		return fmt.Sprintf("%04d", 1940+g.r.IntN(66))
	}
	return ""
}

// Synthetic returns n deterministic watchlist entries with ids syn-0000001….
func Synthetic(n int, seed uint64) []Entry {
	g := newSynGen(seed, 0x5eed)
	es := make([]Entry, n)
	for i := range es {
		es[i] = g.entry(fmt.Sprintf("syn-%07d", i+1))
	}
	return es
}

func (g synGen) entry(id string) Entry {
	e := Entry{ID: id, DOB: g.dob()}
	switch k := g.r.IntN(100); {
	case k < 68:
		female := g.r.IntN(3) == 0
		given := g.pick(synRuMale)
		if female {
			given = g.pick(synRuFemale)
		}
		if k >= 60 {
			given = g.pick(synChechen)
			female = false
		}
		sur := g.cyr[g.zCyr.Uint64()]
		if female {
			sur = feminine(sur)
		}
		parts := []string{given, sur}
		if g.r.IntN(2) == 0 {
			parts = []string{sur, given, patronymic(g.pick(synRuMale), female)}
		}
		name := strings.Join(parts, " ")
		e.Nationalities = []string{"RU"}
		switch {
		case k < 45:
			e.Name = name
			if g.r.IntN(2) == 0 {
				e.Aliases = []string{Transliterate(given+" "+sur, English)}
			}
		default:
			e.Name = Transliterate(name, System(g.r.IntN(int(numSystems))))
		}
	case k < 85:
		parts := []string{g.pick(synArabic), g.pick(synArabic)}
		parts = append(parts, g.arab[g.zArab.Uint64()])
		e.Name = strings.Join(parts, " ")
		e.Nationalities = []string{g.pick([]string{"SY", "IQ", "EG", "SA", "YE", "LY"})}
	default:
		e.Name = g.pick(synWestern) + " " + g.west[g.zWest.Uint64()]
		e.Nationalities = []string{g.pick([]string{"GB", "FR", "DE", "ES", "IT", "US"})}
	}
	return e
}

// SyntheticQuery is a query with the entry it should find ("" for none).
type SyntheticQuery struct {
	Query
	ExpectedID string
}

// SyntheticQueries returns n deterministic queries against es: 70% are
// variants of listed names (another transliteration, words swapped, the
// patronymic dropped, a typo; with the date of birth four times in five),
// 30% are people not on the list (surnames outside the pools).
func SyntheticQueries(es []Entry, n int, seed uint64) []SyntheticQuery {
	g := newSynGen(seed, 0x9e77)
	qs := make([]SyntheticQuery, n)
	for i := range qs {
		if g.r.IntN(10) < 3 || len(es) == 0 {
			// Somebody not listed: a surname outside the pools.
			var name string
			switch g.r.IntN(3) {
			case 0:
				name = g.pick(synRuMale) + " " + g.cyrRoot() + g.cyrRoot()[1:] + g.pick(synCyrEnd)
			case 1:
				name = g.pick(synArabic) + " " + g.latWord(synLatC, synLatV, 3) + "i"
			default:
				name = g.pick(synWestern) + " " + g.latWord(synWestC, synWestV, 3)
			}
			qs[i] = SyntheticQuery{Query: Query{Name: name, DOB: g.dob()}}
			continue
		}
		e := es[g.r.IntN(len(es))]
		name := e.Name
		if len(e.Aliases) > 0 && g.r.IntN(2) == 0 {
			name = e.Aliases[0]
		}
		name = Transliterate(name, System(g.r.IntN(int(numSystems))))
		words := strings.Fields(name)
		if len(words) == 3 && g.r.IntN(2) == 0 {
			words = words[:2] // the patronymic, or the family name, dropped
		}
		if g.r.IntN(3) == 0 {
			words[0], words[len(words)-1] = words[len(words)-1], words[0]
		}
		if g.r.IntN(4) == 0 {
			w := []rune(words[len(words)-1])
			if len(w) > 4 {
				k := 1 + g.r.IntN(len(w)-2)
				w[k], w[k+1] = w[k+1], w[k]
				words[len(words)-1] = string(w)
			}
		}
		qs[i] = SyntheticQuery{Query: Query{Name: strings.Join(words, " ")}, ExpectedID: e.ID}
		if g.r.IntN(5) > 0 {
			qs[i].DOB = e.DOB // a list of a million has namesakes: the date tells them apart
		}
	}
	return qs
}
