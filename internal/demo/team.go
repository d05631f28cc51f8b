package demo

import (
	"context"
	"fmt"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// The demo's team besides the organizer: a colleague from the co-organizing
// Academy, an organizer of both events, and the registration desk of the
// upcoming one as door staff. They sign in with Password too.
const (
	CoOrganizer = "academy@example.uz"
	DoorStaff   = "door@example.uz"
)

// team lists who is on which event's team, by slug.
var team = []struct {
	email, name string
	role        domain.TeamRole
	slugs       []string
}{
	{CoOrganizer, "Nodira Karimova", domain.RoleOrganizer, []string{PastSlug, UpcomingSlug}},
	{DoorStaff, "Registration desk", domain.RoleDoor, []string{UpcomingSlug}},
}

var academyRu = "Академия государственного управления при Президенте Республики Узбекистан"
var academyUz = "Oʻzbekiston Respublikasi Prezidenti huzuridagi Davlat boshqaruvi akademiyasi"

// translations are the events' texts in Russian and Uzbek, by slug.
var translations = map[string]map[string]*domain.EventText{
	PastSlug: {
		"ru": {
			Title:        "Международный семинар по развитию электронного правительства",
			Description:  "Современные тенденции развития электронного правительства в обсуждении представителей стран региона: интегрированные услуги, открытые данные и электронное участие граждан. Семинар проходит в рамках Альянса взаимного обучения (P2P) по развитию электронного правительства; в нём участвуют ведущие эксперты Альянса из Армении, Азербайджана, Эстонии, Грузии, Казахстана, Кыргызстана, Узбекистана и ОЭСР, практики государственных ведомств и исследовательских центров Узбекистана, исследователи и студенты Академии.",
			Venue:        academyRu,
			City:         "Ташкент",
			CoOrganizers: []string{"Астанинский хаб государственной службы", academyRu},
		},
		"uz": {
			Title:        "Elektron hukumatni rivojlantirish boʻyicha xalqaro seminar",
			Description:  "Mintaqa mamlakatlari vakillari elektron hukumatni rivojlantirishning zamonaviy tendensiyalarini muhokama qiladi: integratsiyalashgan xizmatlar, ochiq maʼlumotlar va fuqarolarning elektron ishtiroki. Seminar elektron hukumatni rivojlantirish boʻyicha oʻzaro oʻrganish (P2P) alyansi doirasida oʻtkaziladi; unda Armaniston, Ozarbayjon, Estoniya, Gruziya, Qozogʻiston, Qirgʻiziston, Oʻzbekiston va IHTT ekspertlari, Oʻzbekiston davlat idoralari va tadqiqot markazlari mutaxassislari, Akademiya tadqiqotchilari va talabalari ishtirok etadi.",
			Venue:        academyUz,
			City:         "Toshkent",
			CoOrganizers: []string{"Astana davlat xizmati xabi", academyUz},
		},
	},
	UpcomingSlug: {
		"ru": {
			Title:        "Развитие электронного правительства: второй семинар Альянса взаимного обучения (P2P)",
			Description:  "Продолжение ташкентского семинара 2019 года: интегрированные государственные услуги, открытые данные и цифровые навыки государственных служащих спустя год после начала национальных программ цифровизации в странах региона.",
			Venue:        academyRu,
			City:         "Ташкент",
			CoOrganizers: []string{"Астанинский хаб государственной службы", academyRu},
		},
		"uz": {
			Title:        "Elektron hukumatni rivojlantirish: oʻzaro oʻrganish (P2P) alyansining ikkinchi seminari",
			Description:  "2019-yilgi Toshkent seminarining davomi: mintaqa mamlakatlarida milliy raqamlashtirish dasturlari boshlanganidan bir yil oʻtib integratsiyalashgan davlat xizmatlari, ochiq maʼlumotlar va davlat xizmatchilarining raqamli koʻnikmalari.",
			Venue:        academyUz,
			City:         "Toshkent",
			CoOrganizers: []string{"Astana davlat xizmati xabi", academyUz},
		},
	},
}

// ensureTranslations gives a demo event its Russian and Uzbek texts when it
// lacks one of them (an event loaded before translations existed, or whose
// texts were removed); texts an organizer changed are kept.
func ensureTranslations(ctx context.Context, st *store.Store, rules *domain.Rules, orgID int64, ev *domain.Event) (*domain.Event, error) {
	missing := map[string]*domain.EventText{}
	for lang, text := range translations[ev.Slug] {
		if _, ok := ev.Translations[lang]; !ok {
			missing[lang] = text
		}
	}
	if len(missing) == 0 {
		return ev, nil
	}
	updated, err := st.UpdateEvent(ctx, orgID, ev.Slug, func(e *domain.Event) error {
		return rules.ApplyPatch(e, domain.EventInput{Translations: domain.Some(missing)})
	})
	if err != nil {
		return nil, fmt.Errorf("demo: translate %s: %w", ev.Slug, err)
	}
	return updated, nil
}

// ensureTeam puts the demo's colleagues on the events' teams, with the demo
// password when their account has none. Adding someone with the role they
// have changes nothing, so loading again leaves the team (and its audit
// log) as it is.
func ensureTeam(ctx context.Context, st *store.Store, orgID int64, events ...*domain.Event) error {
	bySlug := map[string]*domain.Event{}
	for _, ev := range events {
		bySlug[ev.Slug] = ev
	}
	for _, m := range team {
		o, err := domain.NewOrganizer(m.email, m.name)
		if err != nil {
			return err
		}
		if err := st.EnsureOrganizer(ctx, o); err != nil {
			return fmt.Errorf("demo: %s: %w", m.email, err)
		}
		if _, pwHash, err := st.PasswordHash(ctx, o.Email); err != nil {
			return err
		} else if pwHash == "" {
			h, err := domain.HashPassword(Password)
			if err != nil {
				return err
			}
			if err := st.SetPassword(ctx, o.ID, h); err != nil {
				return err
			}
		}
		for _, slug := range m.slugs {
			if _, err := st.AddMember(ctx, orgID, bySlug[slug], domain.NewMember{Email: o.Email, Role: m.role}); err != nil {
				return fmt.Errorf("demo: add %s to %s: %w", m.email, slug, err)
			}
		}
	}
	return nil
}
