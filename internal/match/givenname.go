package match

// Cognate given names: one person is Mykola in Ukrainian documents, Nikolai
// in Russian ones and Nicolas in a French newspaper; Chechen and Dagestani
// Magomed is Muhammad, Ibragim is Ibrahim. These are not transliterations
// of one spelling, so the skeleton cannot join them; this table does, with
// a lower score than a transliteration. Spellings that already share a
// skeleton with one listed (Nikolay, Nicolai) need not be listed.
var cognateSpellings = [][]string{
	{"aleksandr", "alexander", "alexandre", "alessandro", "alejandro", "oleksandr", "aliaksandr", "alyaksandr", "iskander", "iskandar"},
	{"aleksei", "alexis", "oleksii", "oleksiy", "aliaksei", "alyaksei"},
	{"anatoly", "anatole", "anatoliy"},
	{"andrei", "andrey", "andriy", "andrii", "andrew", "andre", "andreas", "andrzej", "andres"},
	{"anna", "hanna", "ganna", "anne", "ann"},
	{"bogdan", "bohdan"},
	{"vasily", "vasyl", "vasil", "basil", "vasyl", "vasilii"},
	{"viktor", "victor", "wiktor"},
	{"vladimir", "volodymyr", "uladzimir", "wladimir", "wlodzimierz", "vladimer"},
	{"gennady", "hennadiy", "hennadii"},
	{"georgy", "heorhiy", "heorhii", "george", "georges", "jorge", "giorgi", "giorgio", "yegor", "egor", "yehor"},
	{"grigory", "hryhoriy", "hryhorii", "gregory", "gregor", "grzegorz", "gregoire", "ryhor"},
	{"dmitry", "dmytro", "dimitri", "dimitrios", "dzmitry"},
	{"yevgeny", "yevhen", "eugene", "eugen", "eugeniusz", "yauhen"},
	{"yekaterina", "kateryna", "katerina", "catherine", "katharina", "katarzyna", "caterina", "katsiaryna"},
	{"yelena", "olena", "helen", "helene", "helena", "alena", "alena"},
	{"ivan", "ioann", "john", "jean", "juan", "johann", "johannes", "jan", "giovanni", "ivane", "ivan"},
	{"igor", "ihor", "ihar"},
	{"iosif", "yosyp", "josef", "joseph", "jozef", "giuseppe", "jose"},
	{"yakov", "yakiv", "jacob", "jakob", "jakub", "jacques", "yakub", "yaqub", "yakup"},
	{"konstantin", "kostiantyn", "kostyantyn", "constantin", "constantine", "konstanty", "kanstantsin"},
	{"mikhail", "mykhailo", "mykhaylo", "michael", "michel", "michal", "mikhal", "mikheil"},
	{"nikolai", "mykola", "mikalai", "nicholas", "nicolas", "nikolaus", "mikolaj", "nicola", "nikola"},
	{"oleg", "oleh", "aleh"},
	{"pavel", "pavlo", "paul", "pablo", "paolo", "pawel", "paulo", "paval"},
	{"pyotr", "petro", "peter", "pierre", "pedro", "piotr", "pietro", "piotra"},
	{"sergei", "serhiy", "serhii", "siarhei", "serge", "sergio", "sergiusz"},
	{"stepan", "stefan", "stephen", "steven", "etienne", "stsiapan", "esteban", "stefano"},
	{"fyodor", "fedir", "fiodar", "theodore", "teodor"},
	{"yuri", "yurii", "yury", "jurij", "yuras", "jury"},
	{"maria", "mariya", "marie", "mary", "marija", "maryia"},
	{"natalia", "nataliya", "natalie", "nathalie", "natallia"},
	{"olga", "olha", "volha"},
	{"irina", "iryna", "irene", "iryna", "iryna"},
	{"tatiana", "tetiana", "tatsiana", "tatyana"},
	{"svetlana", "svitlana", "sviatlana"},
	{"galina", "halyna", "halina"},
	{"lyudmila", "liudmyla", "ludmila", "liudmila"},
	{"ksenia", "oksana", "kseniya", "xenia"},
	{"yulia", "yuliya", "julia", "julie", "iulia"},
	{"ilya", "illia", "elijah", "elias", "ilias"},
	{"gleb", "hlib"},
	{"kirill", "kyrylo", "cyril", "kiryl", "kirylo"},
	{"matvei", "matviy", "matthew", "matthias", "mateusz", "matteo"},
	{"timofei", "tymofiy", "timothy", "tsimafei"},
	{"maksim", "maksym", "maxime", "maksimilian", "maximilian"},
	{"semyon", "simon", "shimon"},
	{"zakhar", "zachary", "zakhariy"},
	{"vyacheslav", "viacheslav", "wiaczeslaw"},
	{"muhammad", "magomed", "mukhammad", "mahomet", "mamed", "mehmet", "muhammed", "magometh"},
	{"hussein", "husayn", "huseyn", "khusein", "gusein", "huseyin", "guseyn"},
	{"hasan", "khasan", "gasan"},
	{"husan", "hasan"},
	{"osman", "usman", "uthman", "othman"},
	{"ibrahim", "ibragim", "ebrahim", "ibrohim"},
	{"ismail", "ismayil", "ismoil", "ismael"},
	{"suleiman", "sulayman", "suleyman", "sulaiman", "suliman", "sulejman"},
	{"ramzan", "ramadan", "ramazan", "ramadhan"},
	{"khamzat", "hamzat", "hamza", "khamza", "gamzat"},
	{"yusuf", "yusup", "yousef", "jusuf"},
	{"abdurakhman", "abdurahman", "abdrakhman"},
	{"magomed", "muhammad"},
	{"akhmat", "akhmad", "ahmad", "ahmed", "ahmet", "akhmed"},
	{"said", "saeed", "sayed", "sayid", "saeid"},
	{"mustafa", "moustafa", "mostafa", "mustapha", "moustapha", "mostapha"},
}

// cognates maps a skeleton to its group. Groups that share a spelling are
// merged.
var cognates = func() map[string]int16 {
	m := map[string]int16{}
	parent := make([]int16, len(cognateSpellings))
	for i := range parent {
		parent[i] = int16(i)
	}
	find := func(x int16) int16 {
		for parent[x] != x {
			x = parent[x]
		}
		return x
	}
	for g, spellings := range cognateSpellings {
		for _, s := range spellings {
			// The primary key only: the alternative readings of j and c
			// (jan → Xan) would join unrelated names (Khan).
			k := skeletons(s, skelOptions{})[0]
			if other, ok := m[k]; ok {
				parent[find(int16(g))] = find(other)
			}
			m[k] = int16(g)
		}
	}
	for k, g := range m {
		m[k] = find(g)
	}
	return m
}()

func cognateGroup(keys string) int16 {
	for k := range keyList(keys) {
		if g, ok := cognates[k]; ok {
			return g
		}
	}
	return -1
}
