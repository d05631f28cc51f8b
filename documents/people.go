package documents

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// person is a participant's text as the documents print it, cleaned once.
type person struct {
	first, last  string
	latin        string // the name in Latin script, or "" when not given or the same
	organization string
	delegation   string
}

// personOf prepares p's text in l's language.
func personOf(p store.Participant, l *i18n.Localizer) person {
	out := person{
		first:        clean(p.FirstName),
		last:         clean(p.LastName),
		organization: clean(p.Organization),
		delegation:   delegationName(p.Delegation, l),
	}
	if latin := clean(p.LatinName); latin != "" && latin != out.full() && latin != out.surnameFirst() {
		out.latin = latin
	}
	return out
}

// full is the name as said: first name, then surname.
func (p person) full() string { return joinNonEmpty(" ", p.first, p.last) }

// surnameFirst is the name as lists sorted by surname show it.
func (p person) surnameFirst() string { return joinNonEmpty(" ", p.last, p.first) }

// delegationName shows a delegation in l's language: a country's name, an
// organization's short name ("OECD", "ОЭСР"); a code nobody knows as it is.
func delegationName(d string, l *i18n.Localizer) string {
	return clean(l.Delegation(clean(d)))
}

// joinNonEmpty joins the parts that are not empty.
func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, s := range parts {
		if s = strings.TrimSpace(s); s != "" {
			keep = append(keep, s)
		}
	}
	return strings.Join(keep, sep)
}

// place is where the event happens: venue and city, as far as known.
func place(ev *domain.Event) string { return joinNonEmpty(", ", clean(ev.Venue), clean(ev.City)) }

// coOrganizers lists the event's co-organizers on one line.
func coOrganizers(ev *domain.Event) string {
	names := make([]string, 0, len(ev.CoOrganizers))
	for _, n := range ev.CoOrganizers {
		names = append(names, clean(n))
	}
	return joinNonEmpty(" · ", names...)
}

// upperFirst capitalizes the first letter, as a line that starts with a
// Russian weekday ("четверг, 30 мая") needs.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// DelegationRank lists the delegations' codes, countries and
// organizations, in the order a reader of lang sorts the names papers show
// them by, for store.ParticipantFilter's DelegationRank: a sheet by
// delegation then lists the delegations as its reader expects, the
// database doing the sorting.
func DelegationRank(b *i18n.Bundle, lang string) []string {
	l := b.Localizer(lang)
	list := b.Countries(lang)
	for _, o := range b.Delegations().Organizations() {
		list = append(list, i18n.Country{Code: o.Code, Name: l.Delegation(o.Code)})
	}
	col := collate.New(language.Make(lang))
	slices.SortStableFunc(list, func(a, b i18n.Country) int { return col.CompareString(a.Name, b.Name) })
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Code
	}
	return out
}
