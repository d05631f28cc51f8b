// Package demo loads the demonstration data: the 2019 Tashkent e-government
// workshop that started attend, and an upcoming follow-up open for
// registration. Loading again changes nothing in a whole demo and makes a
// damaged one whole again: participants erased, cancelled, left on the
// waiting list or never loaded (a load cut short) are back, each once, with
// their attendance.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// Slugs of the demo events.
const (
	PastSlug     = "egov-tashkent-2019"
	UpcomingSlug = "egov-followup-workshop"
	Organizer    = "demo@example.org"
	// Password is the demo organizer's dashboard password. It is set only
	// when the account has none, so a changed password is kept.
	Password = "attend-demo-2019"
)

// Result tells what Load made.
type Result struct {
	Token      string // a fresh API token for the demo organizer
	Organizer  *domain.Organizer
	Past       *domain.Event
	Upcoming   *domain.Event
	Registered int // participants added by this run (0 when already loaded)
	// Cleared counts the workshop's registrations this run deleted to load
	// them again: erased ones, and participants no longer confirmed.
	Cleared int
}

const description = `Current trends in e-government development, discussed by representatives of the countries of the region: integrated services, open data and electronic public participation. Held in the framework of the Peer-to-Peer (P2P) Learning Alliance on e-Government development, with leading experts of the Alliance from Armenia, Azerbaijan, Estonia, Georgia, Kazakhstan, Kyrgyzstan, Uzbekistan and the OECD, practitioners from government departments and research centres of Uzbekistan, and researchers and students of the Academy.`

var coOrganizers = []string{
	"Astana Civil Service Hub",
	"Academy of Public Administration under the President of the Republic of Uzbekistan",
}

type person struct {
	first, last, email, country, org, position, role, lang string
}

// participants of the 2019 workshop: the two who opened it, as reported in
// the news item, and sample experts of the Alliance (names are invented).
var participants = []person{
	{"Alikhan", "Baimenov", "a.baimenov@example.kz", "KZ", "Astana Civil Service Hub", "Chairman of the Steering Committee", "speaker", "ru"},
	{"Rustam", "Kasimov", "r.kasimov@example.uz", "UZ", coOrganizers[1], "Rector", "speaker", "uz"},
	{"Armen", "Petrosyan", "armen.petrosyan@example.am", "AM", "Ministry of High-Tech Industry", "Head of e-Governance Unit", "expert", "en"},
	{"Leyla", "Mammadova", "leyla.mammadova@example.az", "AZ", "E-Gov Development Center", "Senior Expert", "expert", "en"},
	{"Kadri", "Tamm", "kadri.tamm@example.ee", "EE", "Information System Authority", "Adviser", "expert", "en"},
	{"Nino", "Beridze", "nino.beridze@example.ge", "GE", "Public Service Development Agency", "Project Manager", "expert", "en"},
	{"Айгерим", "Сейтказиева", "aigerim.s@example.kz", "KZ", "Ministry of Digital Development", "Chief Expert", "expert", "ru"},
	{"Бакыт", "Асанов", "bakyt.asanov@example.kg", "KG", "State Agency for Civil Service Affairs", "Deputy Director", "expert", "ru"},
	{"Claire", "Dubois", "claire.dubois@example.org", "FR", "OECD", "Policy Analyst, Public Governance Directorate", "expert", "en"},
	{"Oʻktam", "Ergashev", "oktam.ergashev@example.uz", "UZ", "Ministry for the Development of Information Technologies and Communications", "Chief Specialist", "practitioner", "uz"},
	{"Дилноза", "Юсупова", "dilnoza.yusupova@example.uz", "UZ", "Centre for Economic Research and Reforms", "Researcher", "researcher", "ru"},
	{"Gʻayrat", "Toʻxtayev", "gayrat.toxtayev@example.uz", "UZ", coOrganizers[1], "Master's student", "student", "uz"},
	{"Malika", "Rahimova", "malika.rahimova@example.uz", "UZ", coOrganizers[1], "Master's student", "student", "uz"},
}

// representing names the 2019 participants who did not represent their
// country: the OECD's expert represented the OECD, not France.
var representing = map[string]string{"claire.dubois@example.org": "OECD"}

// latinNames are the passport names of the 2019 participants who wrote
// their names in Cyrillic.
var latinNames = map[string][2]string{
	"aigerim.s@example.kz":        {"Aigerim", "Seitkaziyeva"},
	"bakyt.asanov@example.kg":     {"Bakyt", "Asanov"},
	"dilnoza.yusupova@example.uz": {"Dilnoza", "Yusupova"},
}

// upcomingQuestions are what the follow-up workshop asks beside the fixed
// fields: dietary needs for the lunches, and who needs a visa invitation
// letter, as every international workshop must know; the date of arrival
// and the sessions, for the organizers' planning.
func upcomingQuestions() []domain.QuestionInput {
	yes, no := true, false
	text := func(en, ru, uz string) map[string]string { return map[string]string{"en": en, "ru": ru, "uz": uz} }
	return []domain.QuestionInput{
		{Key: "diet", Type: "single_choice", Required: &yes, Personal: &yes,
			Label: text("Dietary needs", "Особенности питания", "Ovqatlanish talablari"),
			Help:  text("For the lunches and coffee breaks of both days.", "Для обедов и кофе-брейков в оба дня.", "Ikkala kundagi tushlik va kofe-breyklar uchun."),
			Options: []domain.OptionInput{
				{Value: "none", Label: text("No special needs", "Без особенностей", "Maxsus talablar yoʻq")},
				{Value: "vegetarian", Label: text("Vegetarian", "Вегетарианское", "Vegetarian")},
				{Value: "vegan", Label: text("Vegan", "Веганское", "Vegan")},
				{Value: "halal", Label: text("Halal", "Халяль", "Halol")},
				{Value: "gluten_free", Label: text("Gluten-free", "Без глютена", "Glyutensiz")},
			}},
		{Key: "visa_letter", Type: "yes_no", Required: &yes, Personal: &yes,
			Label: text("I need a visa invitation letter", "Мне нужно визовое приглашение", "Menga viza taklifnomasi kerak"),
			Help: text("The letter names you as in your passport: fill in the Latin-script name if you wrote your name otherwise.",
				"В письме вы будете указаны как в паспорте: заполните имя латиницей, если написали его иначе.",
				"Xatda ismingiz pasportdagidek yoziladi: agar ismingizni boshqa yozuvda yozgan boʻlsangiz, lotincha ismni toʻldiring.")},
		{Key: "arrival", Type: "date", Personal: &yes,
			Label: text("Date of arrival in Tashkent", "Дата прибытия в Ташкент", "Toshkentga kelish sanasi")},
		{Key: "sessions", Type: "multiple_choice", Personal: &no,
			Label: text("Sessions you plan to attend", "Секции, которые вы планируете посетить", "Qatnashmoqchi boʻlgan sessiyalaringiz"),
			Options: []domain.OptionInput{
				{Value: "services", Label: text("Integrated public services", "Интегрированные государственные услуги", "Integratsiyalashgan davlat xizmatlari")},
				{Value: "open_data", Label: text("Open data", "Открытые данные", "Ochiq maʼlumotlar")},
				{Value: "skills", Label: text("Digital skills for civil servants", "Цифровые навыки госслужащих", "Davlat xizmatchilarining raqamli koʻnikmalari")},
			}},
	}
}

// Load creates the demo organizer, both events (with their Russian and
// Uzbek texts and their team) and the 2019 participants.
func Load(ctx context.Context, st *store.Store, rules *domain.Rules, now time.Time) (*Result, error) {
	res := &Result{}
	org, err := domain.NewOrganizer(Organizer, "Demo Organizer")
	if err != nil {
		return nil, err
	}
	if err := st.EnsureOrganizer(ctx, org); err != nil {
		return nil, err
	}
	res.Organizer = org
	if _, pwHash, err := st.PasswordHash(ctx, org.Email); err != nil {
		return nil, err
	} else if pwHash == "" {
		h, err := domain.HashPassword(Password)
		if err != nil {
			return nil, err
		}
		if err := st.SetPassword(ctx, org.ID, h); err != nil {
			return nil, err
		}
	}
	token, hash, err := domain.NewToken()
	if err != nil {
		return nil, err
	}
	if err := st.CreateAPIToken(ctx, org.ID, hash); err != nil {
		return nil, err
	}
	res.Token = token

	capacity := 60
	if res.Past, err = ensureEvent(ctx, st, rules, org.ID, domain.EventInput{
		Slug:         domain.Some(PastSlug),
		Title:        domain.Some("International workshop on e-government development"),
		Description:  domain.Some(description),
		Venue:        domain.Some(coOrganizers[1]),
		City:         domain.Some("Tashkent"),
		Country:      domain.Some("UZ"),
		Timezone:     domain.Some("Asia/Tashkent"),
		StartsOn:     domain.Some("2019-05-30"),
		EndsOn:       domain.Some("2019-05-31"),
		Capacity:     domain.Some(capacity),
		CoOrganizers: domain.Some(coOrganizers),
		Languages:    domain.Some([]string{"en", "ru", "uz"}),
	}); err != nil {
		return nil, err
	}

	// The workshop's people are invented: the retention job, which would
	// anonymize them a year after 2019, must leave the demo whole.
	if err := st.ExemptFromRetention(ctx, res.Past.ID); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}

	loc, err := time.LoadLocation("Asia/Tashkent")
	if err != nil {
		return nil, fmt.Errorf("demo: time zone: %w", err)
	}
	// About a month ahead, on a Tuesday and Wednesday, like a working meeting.
	start := domain.DateOf(now.In(loc)).AddDays(30)
	for start.Time().Weekday() != time.Tuesday {
		start = start.AddDays(1)
	}
	followCapacity := 40
	if res.Upcoming, err = ensureEvent(ctx, st, rules, org.ID, domain.EventInput{
		Slug:                 domain.Some(UpcomingSlug),
		Title:                domain.Some("E-government development: follow-up workshop of the P2P Learning Alliance"),
		Description:          domain.Some("A follow-up to the 2019 Tashkent workshop: progress on integrated public services, open data and digital skills for civil servants, one year into the national digitalization programmes of the region."),
		Venue:                domain.Some(coOrganizers[1]),
		City:                 domain.Some("Tashkent"),
		Country:              domain.Some("UZ"),
		Timezone:             domain.Some("Asia/Tashkent"),
		StartsOn:             domain.Some(start.String()),
		EndsOn:               domain.Some(start.AddDays(1).String()),
		Capacity:             domain.Some(followCapacity),
		RegistrationClosesAt: domain.Some(start.AddDays(-1).In(loc).Add(18 * time.Hour).Format(time.RFC3339)),
		CoOrganizers:         domain.Some(coOrganizers),
		Languages:            domain.Some([]string{"en", "ru", "uz"}),
		Questions:            domain.Some(upcomingQuestions()),
	}); err != nil {
		return nil, err
	}
	// A demo loaded before the workshop asked its questions asks them now.
	if len(res.Upcoming.Questions) == 0 {
		if res.Upcoming, err = st.UpdateEvent(ctx, org.ID, UpcomingSlug, func(ev *domain.Event) error {
			return rules.ApplyPatch(ev, domain.EventInput{Questions: domain.Some(upcomingQuestions())})
		}); err != nil {
			return nil, fmt.Errorf("demo: questions of %s: %w", UpcomingSlug, err)
		}
	}

	// Both events in Russian and Uzbek too, and run by a team.
	if res.Past, err = ensureTranslations(ctx, st, rules, org.ID, res.Past); err != nil {
		return nil, err
	}
	if res.Upcoming, err = ensureTranslations(ctx, st, rules, org.ID, res.Upcoming); err != nil {
		return nil, err
	}
	if err := ensureTeam(ctx, st, org.ID, res.Past, res.Upcoming); err != nil {
		return nil, err
	}

	// Erased participants can no longer be recognised by their address,
	// and a cancelled or waitlisted one cannot be checked in: clear them, so
	// that the loop below adds each participant once, confirmed.
	emails := make([]string, len(participants))
	for i, p := range participants {
		emails[i] = p.email
	}
	if res.Cleared, err = st.ClearForReseed(ctx, res.Past.ID, emails); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}

	consent := true
	registeredAt := time.Date(2019, 5, 15, 10, 0, 0, 0, loc)
	for i, p := range participants {
		latin := latinNames[p.email]
		reg, err := rules.NewRegistration(domain.RegistrationInput{
			FirstName: p.first, LastName: p.last, Email: p.email, Country: p.country,
			Organization: p.org, Position: p.position, Role: p.role, Language: p.lang, Consent: &consent,
			Delegation: representing[p.email], LatinFirstName: latin[0], LatinLastName: latin[1],
		}, res.Past, registeredAt.Add(time.Duration(i)*time.Hour))
		if err != nil {
			return nil, fmt.Errorf("demo: participant %s: %w", p.email, err)
		}
		r, err := st.ImportRegistration(ctx, res.Past, reg)
		if err != nil {
			return nil, fmt.Errorf("demo: register %s: %w", p.email, err)
		}
		if r.Created {
			res.Registered++
		}
		if err := checkInDemo(ctx, st, org.ID, res.Past, r.Registration, p.email, i); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// attendedOnly names the 2019 participants who came on one day only;
// everyone else attended both days.
var attendedOnly = map[string]string{
	"claire.dubois@example.org":  "2019-05-30",
	"gayrat.toxtayev@example.uz": "2019-05-30",
	"malika.rahimova@example.uz": "2019-05-31",
}

// checkInDemo records a 2019 participant's attendance, arriving a little
// before the 9:00 start. Check-ins are idempotent, so loading twice keeps
// the first ones.
func checkInDemo(ctx context.Context, st *store.Store, orgID int64, ev *domain.Event, reg *domain.Registration, email string, i int) error {
	for _, day := range ev.Days() {
		if only, ok := attendedOnly[email]; ok && only != day.String() {
			continue
		}
		at := day.In(ev.Location()).Add(8*time.Hour + 30*time.Minute + time.Duration(2*i+len(email)%5)*time.Minute)
		if _, _, err := st.CheckIn(ctx, orgID, ev.Slug, store.CheckinRequest{RegistrationID: reg.ID, Day: day, At: at}); err != nil {
			return fmt.Errorf("demo: check in %s on %s: %w", email, day, err)
		}
	}
	return nil
}

// ensureEvent creates the event unless its slug exists already.
func ensureEvent(ctx context.Context, st *store.Store, rules *domain.Rules, orgID int64, in domain.EventInput) (*domain.Event, error) {
	if ev, err := st.ManagedEvent(ctx, orgID, in.Slug.Value); err == nil {
		return ev, nil
	} else if domain.ErrorCode(err) != domain.ENotFound {
		return nil, err
	}
	ev, err := rules.NewEvent(in)
	if err != nil {
		return nil, fmt.Errorf("demo: event %s: %w", in.Slug.Value, err)
	}
	if err := st.CreateEvent(ctx, orgID, ev); err != nil {
		return nil, fmt.Errorf("demo: create %s: %w", in.Slug.Value, err)
	}
	return ev, nil
}
