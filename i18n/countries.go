package i18n

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/attend/attend/domain"
)

// Country is one entry of a country list: its ISO 3166-1 alpha-2 code and
// its name in the list's language.
type Country struct {
	Code string
	Name string
}

// Countries lists every ISO 3166-1 country (domain.CountryCodes) with its
// name in lang, sorted the way a reader of lang expects. An unsupported
// language gets the English list. The caller owns the returned slice.
//
// Names come from the CLDR data in golang.org/x/text/language/display, which
// has Russian and Uzbek (Latin) names for every code. The message files may
// override a name with a "country.<CODE>" message, for countries renamed
// since that CLDR release (North Macedonia, Eswatini). Uzbek names are
// written with the modifier letter ʻ (U+02BB) in oʻ and gʻ, as the Uzbek
// Latin alphabet prescribes; CLDR mixes in the quotation mark ‘ (U+2018).
//
// Sorting uses golang.org/x/text/collate. It has Russian and English rules;
// for Uzbek it has no tailoring and falls back to the CLDR root order, which
// sorts the Latin letters as in English and so places the digraphs sh, ch,
// oʻ and gʻ under s, c, o and g. That is how Uzbek lists on the web are
// usually ordered, though the official alphabet puts oʻ, gʻ, sh, ch after z.
func (b *Bundle) Countries(lang string) []Country {
	list, ok := b.countries[lang]
	if !ok {
		list = b.countries[DefaultLanguage]
	}
	return slices.Clone(list)
}

// Country is the name of a country code in the localizer's language, or the
// code itself when it is not an ISO 3166-1 code.
func (l *Localizer) Country(code string) string {
	if l.Has("country." + code) {
		return l.T("country."+code, nil)
	}
	return regionName(l.lang, code)
}

// uzbekApostrophe writes CLDR's ‘ in Uzbek names as the letter ʻ.
var uzbekApostrophe = strings.NewReplacer("\u2018", "\u02bb")

func regionName(lang, code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	namer := display.Regions(language.Make(lang))
	if namer == nil {
		namer = display.Regions(language.English)
	}
	name := namer.Name(r)
	if name == "" {
		return code
	}
	if lang == "uz" {
		name = uzbekApostrophe.Replace(name)
	}
	return name
}

func (b *Bundle) buildCountries(lang string) ([]Country, error) {
	l := b.Localizer(lang)
	codes := domain.CountryCodes()
	list := make([]Country, 0, len(codes))
	for _, code := range codes {
		name := l.Country(code)
		if name == code {
			return nil, fmt.Errorf("i18n: no %s name for country %s", lang, code)
		}
		list = append(list, Country{Code: code, Name: name})
	}
	sortByName(lang, list)
	return list, nil
}

// sortByName sorts list by name, the way a reader of lang expects (see
// Countries).
func sortByName(lang string, list []Country) {
	col := collate.New(language.Make(lang))
	slices.SortStableFunc(list, func(a, b Country) int { return col.CompareString(a.Name, b.Name) })
}
