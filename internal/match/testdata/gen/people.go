package main

import "strings"

// Name pools. The persons of the development set are fictional
// combinations of real given names and surnames (so that their spellings
// behave like real ones), except the three people the issue names.

func fields(s string) []string { return strings.Fields(s) }

// East Slavic given names: [Russian, Ukrainian, Belarusian] Cyrillic forms
// of the same name ("" where the form does not differ or is not used).
var slavicMale = [][3]string{
	{"Александр", "Олександр", "Аляксандр"}, {"Алексей", "Олексій", "Аляксей"}, {"Анатолий", "Анатолій", ""},
	{"Андрей", "Андрій", "Андрэй"}, {"Борис", "", ""}, {"Вадим", "", ""}, {"Валерий", "Валерій", "Валерый"},
	{"Василий", "Василь", "Васіль"}, {"Виктор", "Віктор", "Віктар"}, {"Виталий", "Віталій", "Віталь"},
	{"Владимир", "Володимир", "Уладзімір"}, {"Вячеслав", "В'ячеслав", "Вячаслаў"}, {"Геннадий", "Геннадій", "Генадзь"},
	{"Георгий", "Георгій", "Георгій"}, {"Григорий", "Григорій", "Рыгор"}, {"Денис", "", ""},
	{"Дмитрий", "Дмитро", "Дзмітрый"}, {"Евгений", "Євген", "Яўген"}, {"Иван", "Іван", "Іван"},
	{"Игорь", "Ігор", "Ігар"}, {"Илья", "Ілля", "Ілья"}, {"Кирилл", "Кирило", "Кірыл"},
	{"Константин", "Костянтин", "Канстанцін"}, {"Леонид", "Леонід", "Леанід"}, {"Максим", "", "Максім"},
	{"Михаил", "Михайло", "Міхаіл"}, {"Николай", "Микола", "Мікалай"}, {"Олег", "", "Алег"},
	{"Павел", "Павло", "Павел"}, {"Пётр", "Петро", "Пятро"}, {"Роман", "", "Раман"},
	{"Сергей", "Сергій", "Сяргей"}, {"Станислав", "Станіслав", "Станіслаў"}, {"Степан", "", "Сцяпан"},
	{"Фёдор", "Федір", "Фёдар"}, {"Юрий", "Юрій", "Юрый"}, {"Яков", "Яків", ""}, {"Ярослав", "", ""},
	{"Арсений", "Арсеній", ""}, {"Тимофей", "Тимофій", "Цімафей"}, {"Глеб", "Гліб", "Глеб"},
	{"Эдуард", "Едуард", "Эдуард"}, {"Семён", "Семен", "Сямён"}, {"Аркадий", "Аркадій", ""},
	{"Всеволод", "", ""}, {"Святослав", "", ""}, {"Тарас", "", ""}, {"Богдан", "", ""},
	{"Остап", "", ""}, {"Артём", "Артем", "Арцём"}, {"Руслан", "", ""}, {"Вячеслав", "", ""},
}

var slavicFemale = [][3]string{
	{"Анна", "Ганна", "Ганна"}, {"Елена", "Олена", "Алена"}, {"Екатерина", "Катерина", "Кацярына"},
	{"Наталья", "Наталія", "Наталля"}, {"Ольга", "", "Вольга"}, {"Ирина", "Ірина", "Ірына"},
	{"Татьяна", "Тетяна", "Таццяна"}, {"Светлана", "Світлана", "Святлана"}, {"Мария", "Марія", "Марыя"},
	{"Юлия", "Юлія", "Юлія"}, {"Людмила", "Людмила", "Людміла"}, {"Галина", "Галина", "Галіна"},
	{"Ксения", "Оксана", ""}, {"Дарья", "Дарія", "Дар'я"}, {"Вера", "Віра", "Вера"},
	{"Надежда", "Надія", "Надзея"}, {"Виктория", "Вікторія", "Вікторыя"}, {"Евгения", "Євгенія", "Яўгенія"},
	{"Анастасия", "Анастасія", "Анастасія"}, {"Полина", "", ""}, {"Алина", "", ""}, {"Лариса", "", ""},
}

// Russian surnames; feminine forms are derived.
var russianSurnames = fields(`Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров
Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров
Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов
Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов
Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов Осипов
Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов
Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Федотов Щербаков
Назаров Калинин Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов
Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев
Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов Кириллов
Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов Ерёмин Тихомиров Галкин
Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин
Митрофанов Воронов Аксёнов Софронов Мальцев Логинов Горшков Савин Краснов Майоров Демидов Елисеев
Рыбаков Сафонов Плотников Демин Хохлов Фадеев Молчанов Игнатов Литвинов Ершов Ушаков Дементьев
Рябов Мухин Калашников Леонтьев Лобанов Кузин Корнилов Евдокимов Бородин Платонов Некрасов Балашов
Бобров Жданов Блинов Игнатьев Коротков Муравьёв Крюков Беляков Богомолов Дроздов Лавров Зуев Петухов
Ларин Никулин Серов Терентьев Зотов Устинов Фокин Самойлов Константинов Сахаров Шишкин Самсонов
Черкасов Чистяков Носов Спиридонов Карасёв Авдеев Воронцов Зверев Владимиров Селезнёв Нечаев Кудрявцев
Рожков Щукин Шубин Хабибуллин Шевцов Пахомов Третьяков Русаков Чижов Кабанов Шестаков Худяков
Вишневский Островский Добровольский Раевский Трубецкой Толстой Шуйский Оболенский Чайковский Достоевский
Рахманинов Шостакович Лихачёв Тургенев Ломоносов Державин Хрущёв Ежов Ягода Берия`)

var ukrainianSurnames = fields(`Шевченко Коваленко Бондаренко Ткаченко Кравченко Олійник Шевчук Коваль Поліщук
Бондар Ткачук Марченко Мельник Мороз Лисенко Руденко Савченко Петренко Клименко Павленко Кравчук
Кузьменко Левченко Гончаренко Харченко Сидоренко Ковальчук Іваненко Карпенко Мартинюк Литвиненко
Романенко Кушнір Дмитренко Остапенко Гайдамака Вакуленко Зінченко Білоус Стельмах Гнатюк Пилипенко
Семенюк Яременко Федоренко Гуменюк Приходько Демченко Тимошенко Костенко Юрченко Грищенко Назаренко
Ярошенко Лук'яненко Білик Кириленко Зеленський Кобзар Тищенко Мазур Дорошенко Герасименко Вдовиченко`)

var belarusianSurnames = fields(`Лукашэвіч Навумчык Шушкевіч Багдановіч Караткевіч Быкаў Мележ Макаёнак Чарнышэвіч
Латушка Ціханоўскі Бабарыка Калеснікава Статкевіч Саннікаў Некляеў Мацкевіч Кавалёў`)

var chechenMale = fields(`Джохар Рамзан Ахмат Шамиль Аслан Муса Ислам Адам Магомед Хасан Хусейн Ибрагим Умар
Зелимхан Тамерлан Салман Иса Арби Ваха Султан Аюб Хамзат Юсуп Билал Мовсар Адлан Апти Бислан Анзор
Саид-Магомед Рустам Майрбек Абдул-Халим Докку Шарип Лечи Алихан`)

var chechenSurnames = fields(`Кадыров Царнаев Басаев Дудаев Масхадов Умаров Яндарбиев Закаев Гелаев Бараев
Исмаилов Алиев Магомадов Хасанов Дадаев Садулаев Абдурахманов Делимханов Ямадаев Байсаров Ахмадов
Вахаев Эльмурзаев Сулейманов Исраилов Висаитов Муртазалиев Арсанов Гайрбеков Тазбиев Нухаев Межидов
Алханов Тумсоев Бисултанов Тагаев Эдиев Мусаев Юсупов Хамзатов`)

// Real-world press spellings of given names that the conventions above do
// not produce (Westernised forms, mixed conventions, common misspellings
// that are not typos).
var pressGiven = map[string][]string{
	"Александр": {"Alexander", "Alexandre", "Aleksander", "Alexandr"},
	"Алексей":   {"Alexei", "Alexey", "Alexeï", "Alexej", "Aleksiej"},
	"Евгений":   {"Eugene", "Evgeny", "Evgeniy", "Ievgueni", "Jevgenij"},
	"Юрий":      {"Yuri", "Iouri", "Jurij", "Yuriy", "Iurii"},
	"Дмитрий":   {"Dmitri", "Dimitri", "Dmitrij", "Dmitriy", "Dmitrii"},
	"Сергей":    {"Sergei", "Serguei", "Sergey", "Sergej"},
	"Михаил":    {"Mikhail", "Michail", "Mihail", "Mikhaïl"},
	"Николай":   {"Nikolai", "Nicolai", "Nikolaj", "Nicolas"},
	"Пётр":      {"Pyotr", "Petr", "Piotr", "Pjotr", "Peter"},
	"Фёдор":     {"Fyodor", "Fedor", "Fiodor", "Fjodor", "Theodor"},
	"Григорий":  {"Grigory", "Grigori", "Grigorij", "Gregory"},
	"Георгий":   {"Georgy", "Georgi", "Gueorgui", "Georgiy"},
	"Яков":      {"Yakov", "Jakow", "Iakov", "Jacob"},
	"Илья":      {"Ilya", "Ilia", "Ilja", "Il'ya"},
	"Василий":   {"Vasily", "Vassili", "Wassili", "Vasiliy", "Vasilii"},
	"Наталья":   {"Natalia", "Natalya", "Natalja", "Nathalie"},
	"Татьяна":   {"Tatiana", "Tatyana", "Tatjana", "Tatiana"},
	"Екатерина": {"Ekaterina", "Yekaterina", "Katerina", "Iekaterina", "Jekaterina"},
	"Елена":     {"Elena", "Yelena", "Jelena", "Helena", "Ielena"},
	"Мария":     {"Maria", "Mariya", "Marija", "Marie"},
	"Юлия":      {"Yulia", "Julia", "Ioulia", "Iuliia", "Yuliya"},
	"Ксения":    {"Ksenia", "Kseniya", "Xenia", "Ksenija"},
	"Дарья":     {"Daria", "Darya", "Darja", "Dariya"},
	"Олександр": {"Oleksandr", "Olexandr", "Oleksander", "Alexander"},
	"Володимир": {"Volodymyr", "Wolodymyr", "Volodimir", "Vladimir"},
	"Микола":    {"Mykola", "Mikola", "Nikolai"},
	"Сергій":    {"Serhiy", "Serhii", "Sergiy", "Serguiy"},
	"Андрій":    {"Andriy", "Andrii", "Andrij", "Andrew"},
	"Олексій":   {"Oleksiy", "Oleksii", "Olexiy", "Alexei"},
	"Юрій":      {"Yuriy", "Yurii", "Jurij"},
	"Дмитро":    {"Dmytro", "Dmitro"},
	"Джохар":    {"Dzhokhar", "Djokhar", "Dschochar", "Jokhar", "Dżochar"},
	"Рамзан":    {"Ramzan", "Ramsan"},
	"Ахмат":     {"Akhmat", "Ahmat", "Achmat", "Akhmad"},
	"Магомед":   {"Magomed", "Magomet", "Mohammed"},
	"Хасан":     {"Khasan", "Hasan", "Chassan"},
	"Хусейн":    {"Khusein", "Husein", "Hussein", "Khuseyn"},
	"Ибрагим":   {"Ibragim", "Ibrahim"},
	"Умар":      {"Umar", "Oumar", "Omar"},
	"Юсуп":      {"Yusup", "Jusup", "Yousoup"},
}

// Hand-written press spellings of surnames.
var pressSurname = map[string][]string{
	"Нарышкин":   {"Naryshkin", "Narychkine", "Naryschkin", "Naryškin", "Naryszkin", "Narishkin"},
	"Пригожин":   {"Prigozhin", "Prigojine", "Prigoschin", "Prigožin", "Prigożyn", "Prigojin"},
	"Царнаев":    {"Tsarnaev", "Tsarnaïev", "Carnaev", "Zarnajew", "Tsarnayev", "Carnajew"},
	"Хрущёв":     {"Khrushchev", "Khrouchtchev", "Chruschtschow", "Chruščov", "Jruschov", "Khrushchyov"},
	"Кадыров":    {"Kadyrov", "Kadirov", "Kadyrow", "Qadirov"},
	"Шевченко":   {"Shevchenko", "Chevtchenko", "Schewtschenko", "Szewczenko", "Sevcenko"},
	"Зеленський": {"Zelensky", "Zelenskyy", "Zelenskyi", "Selenskyj", "Zelenski", "Zełenski"},
	"Медведев":   {"Medvedev", "Medwedew", "Miedwiediew", "Medvedeff"},
	"Соловьёв":   {"Solovyov", "Soloviev", "Solovyev", "Solowjow", "Solovjov", "Soloviov"},
	"Королёв":    {"Korolev", "Korolyov", "Koroljow", "Korolev", "Koroliov"},
	"Ежов":       {"Yezhov", "Ezhov", "Iejov", "Jeschow", "Eschow"},
	"Сорокин":    {"Sorokin", "Sorokine"},
	"Лукашэвіч":  {"Lukashevich", "Lukaševič", "Lukashevitch", "Łukaszewicz"},
}

// Arabic names: the Arabic-script form and its romanisations, the first
// being the English-language press form.
type arabicName struct {
	script string
	roman  []string
}

var arabicGiven = []arabicName{
	{"محمد", []string{"Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed", "Mouhamed", "Muḥammad"}},
	{"أحمد", []string{"Ahmed", "Ahmad", "Ahmet", "Aḥmad"}},
	{"علي", []string{"Ali", "Aly", "ʿAlī"}},
	{"عمر", []string{"Omar", "Umar", "Omer", "ʿUmar"}},
	{"خالد", []string{"Khalid", "Khaled", "Chalid", "Khaleed", "Khālid"}},
	{"يوسف", []string{"Youssef", "Yusuf", "Yousef", "Youcef", "Yussuf", "Yūsuf"}},
	{"إبراهيم", []string{"Ibrahim", "Ebrahim", "Brahim", "Ibraheem", "Ibrāhīm"}},
	{"حسن", []string{"Hassan", "Hasan", "Hassen", "Ḥasan"}},
	{"حسين", []string{"Hussein", "Husayn", "Hussain", "Houssein", "Husein", "Ḥusayn"}},
	{"مصطفى", []string{"Mustafa", "Moustafa", "Mostafa", "Mustapha", "Moustapha", "Muṣṭafā"}},
	{"طارق", []string{"Tariq", "Tarek", "Tarik", "Tareq", "Ṭāriq"}},
	{"كريم", []string{"Karim", "Kareem", "Krim"}},
	{"سمير", []string{"Samir", "Sameer"}},
	{"وليد", []string{"Walid", "Waleed", "Oualid"}},
	{"نبيل", []string{"Nabil", "Nabeel"}},
	{"فيصل", []string{"Faisal", "Faysal", "Fayçal", "Feisal"}},
	{"حمزة", []string{"Hamza", "Hamzah", "Hamzeh"}},
	{"بلال", []string{"Bilal", "Belal"}},
	{"أسامة", []string{"Osama", "Usama", "Oussama", "Usamah"}},
	{"ياسر", []string{"Yasser", "Yasir", "Yassir"}},
	{"زياد", []string{"Ziad", "Ziyad", "Zyad"}},
	{"ماجد", []string{"Majid", "Maged", "Majed"}},
	{"سعيد", []string{"Said", "Saeed", "Saïd", "Saied"}},
	{"ناصر", []string{"Nasser", "Nasir", "Naser"}},
	{"جمال", []string{"Jamal", "Gamal", "Djamel", "Jamel"}},
	{"عادل", []string{"Adel", "Adil"}},
	{"أمين", []string{"Amin", "Ameen", "Amine"}},
	{"أنور", []string{"Anwar", "Anouar", "Anwer"}},
	{"بشير", []string{"Bashir", "Bachir", "Basheer"}},
	{"هشام", []string{"Hisham", "Hicham", "Hesham"}},
	{"كمال", []string{"Kamal", "Kamel"}},
	{"محمود", []string{"Mahmoud", "Mahmud", "Mahmood"}},
	{"مروان", []string{"Marwan", "Merouane"}},
	{"رشيد", []string{"Rashid", "Rachid", "Rasheed"}},
	{"صلاح", []string{"Salah", "Salaheddine"}},
	{"يحيى", []string{"Yahya", "Yehia", "Yahia"}},
	{"زكريا", []string{"Zakaria", "Zakariya", "Zacharia"}},
	{"عبد الله", []string{"Abdullah", "Abdallah", "Abd Allah", "Abdulla", "Abdellah"}},
	{"عبد الرحمن", []string{"Abdulrahman", "Abd al-Rahman", "Abdurrahman", "Abderrahmane", "Abdel Rahman", "Abdelrahman"}},
	{"عبد العزيز", []string{"Abdulaziz", "Abd al-Aziz", "Abdelaziz", "Abdul Aziz"}},
	{"عبد الكريم", []string{"Abdulkarim", "Abd al-Karim", "Abdelkrim", "Abdul Karim"}},
}

var arabicFemale = []arabicName{
	{"فاطمة", []string{"Fatima", "Fatimah", "Fatma", "Fatema"}},
	{"عائشة", []string{"Aisha", "Aicha", "Ayesha", "Aïcha"}},
	{"مريم", []string{"Maryam", "Mariam", "Meryem"}},
	{"زينب", []string{"Zainab", "Zaynab", "Zeinab"}},
	{"خديجة", []string{"Khadija", "Khadijah", "Khadidja"}},
	{"ليلى", []string{"Layla", "Leila", "Laila"}},
	{"أمينة", []string{"Amina", "Aminah", "Ameena"}},
}

var arabicFamily = []arabicName{
	{"المصري", []string{"al-Masri", "el-Masry", "al-Misri", "Elmasry", "Masri"}},
	{"البغدادي", []string{"al-Baghdadi", "el-Baghdadi", "Baghdadi", "Al Baghdadi"}},
	{"التكريتي", []string{"al-Tikriti", "at-Tikriti", "Tikriti", "el-Tikriti"}},
	{"الحلبي", []string{"al-Halabi", "el-Halaby", "Halabi"}},
	{"الشامي", []string{"al-Shami", "ash-Shami", "Chami", "el-Chami"}},
	{"العراقي", []string{"al-Iraqi", "el-Iraki", "Iraqi"}},
	{"الليبي", []string{"al-Libi", "el-Libi", "Libi"}},
	{"الزهراني", []string{"al-Zahrani", "az-Zahrani", "Zahrani"}},
	{"القحطاني", []string{"al-Qahtani", "al-Kahtani", "Qahtani", "el-Kahtani"}},
	{"الشهري", []string{"al-Shehri", "al-Shahri", "Shehri"}},
	{"العتيبي", []string{"al-Otaibi", "al-Utaybi", "Otaibi"}},
	{"الأنصاري", []string{"al-Ansari", "el-Ansary", "Ansari"}},
	{"الحسيني", []string{"al-Husseini", "el-Husseiny", "Husaini", "al-Husayni"}},
	{"حداد", []string{"Haddad", "Hadad", "Ḥaddād"}},
	{"خوري", []string{"Khoury", "Khouri", "Khuri", "Khury"}},
	{"منصور", []string{"Mansour", "Mansur", "Mansoor"}},
	{"سليمان", []string{"Suleiman", "Sulayman", "Souleymane", "Sleiman"}},
	{"درويش", []string{"Darwish", "Darwiche", "Derwich"}},
	{"عثمان", []string{"Othman", "Uthman", "Osman", "Otman"}},
	{"الجزائري", []string{"al-Jazairi", "el-Djazairi", "Jazairi"}},
	{"المغربي", []string{"al-Maghribi", "el-Maghrebi", "Maghrebi"}},
	{"اليمني", []string{"al-Yamani", "el-Yemeni", "Yamani"}},
	{"الدوسري", []string{"al-Dosari", "al-Dossary", "ad-Dawsari", "Dossari"}},
	{"الهاشمي", []string{"al-Hashimi", "el-Hachemi", "al-Hashemi", "Hashimi"}},
	{"الجبوري", []string{"al-Jubouri", "al-Juburi", "Jbouri", "al-Jabouri"}},
	{"الدليمي", []string{"al-Dulaimi", "al-Duleimi", "Dulaimi"}},
	{"العبيدي", []string{"al-Obeidi", "al-Ubaydi", "Obeidi"}},
	{"السوداني", []string{"al-Sudani", "as-Sudani", "Soudani"}},
	{"الكبيسي", []string{"al-Kubaisi", "al-Kubaysi", "Kubaisi"}},
	{"النعيمي", []string{"al-Nuaimi", "an-Nuaymi", "Nuaimi", "al-Naimi"}},
}

// Western names: a first name, a surname; spellings with diacritics where
// they have them.
var westernFirst = fields(`John Michael David James Robert Thomas Peter Paul Mark Daniel William Richard
Pierre Jean François Jérôme René André Hélène Zoë Agnès Céline Hans Jürgen Jörg Günter Björn Søren
Klaus Ingrid Sebastian José Jesús María Ramón Iñaki Lucía Giovanni Nicolò Francesca Łukasz Paweł
Wojciech Zbigniew Małgorzata Anne Sarah Emma Laura Olivia Sophie`)

var westernSurnames = fields(`Smith Johnson Williams Brown Miller Wilson Taylor Anderson Thompson Harris
Müller Schröder Meier Schmidt Weiß Hoffmann Schäfer Dupont Lefèvre Lebrun Moreau Girard Bérenger
García Rodríguez Martínez Hernández Núñez Peña Rossi Bianchi Esposito Ricci Kowalski Wiśniewski
Nowak Wójcik Kamiński O'Brien O'Connor McDonald MacLeod Johansson Ødegård Håkansson Lindqvist
Fitzgerald Delacroix Castellano Zimmermann Kühn Jäger Brandão Gonçalves`)
