package domain

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// A participant represents a delegation: a country (its ISO 3166-1 alpha-2
// code, by default the participant's own country) or an international
// organization (its code, such as OECD). Statistics, exports and the door
// count people by delegation, so that the OECD's staff are counted as the
// OECD and not as the country they live in.

// Organization is an international organization a participant may
// represent. Short is what lists and charts show ("OECD", "ОЭСР"), Name
// the full name, each by language.
type Organization struct {
	Code  string
	Short Text
	Name  Text
}

// orgCodePattern is what organization codes look like: upper-case letters
// and digits, longer than a country code or not one (EU is reserved in ISO
// 3166-1 and assigned to no country).
var orgCodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,15}$`)

// builtinOrganizations are the organizations most often at the workshops
// attend was built for. A deployment adds others (DELEGATIONS_FILE).
var builtinOrganizations = []Organization{
	org("OECD", "OECD", "Organisation for Economic Co-operation and Development", "ОЭСР", "Организация экономического сотрудничества и развития", "IHTT", "Iqtisodiy hamkorlik va taraqqiyot tashkiloti"),
	org("UN", "UN", "United Nations", "ООН", "Организация Объединённых Наций", "BMT", "Birlashgan Millatlar Tashkiloti"),
	org("UNDP", "UNDP", "United Nations Development Programme", "ПРООН", "Программа развития ООН", "BMTTD", "BMT Taraqqiyot dasturi"),
	org("UNICEF", "UNICEF", "United Nations Children's Fund", "ЮНИСЕФ", "Детский фонд ООН", "UNICEF", "BMT Bolalar jamgʻarmasi"),
	org("UNESCO", "UNESCO", "United Nations Educational, Scientific and Cultural Organization", "ЮНЕСКО", "Организация Объединённых Наций по вопросам образования, науки и культуры", "YUNESKO", "BMTning Taʼlim, fan va madaniyat masalalari boʻyicha tashkiloti"),
	org("WHO", "WHO", "World Health Organization", "ВОЗ", "Всемирная организация здравоохранения", "JSST", "Jahon sogʻliqni saqlash tashkiloti"),
	org("ILO", "ILO", "International Labour Organization", "МОТ", "Международная организация труда", "XMT", "Xalqaro mehnat tashkiloti"),
	org("WB", "World Bank", "World Bank Group", "Всемирный банк", "Группа Всемирного банка", "Jahon banki", "Jahon banki guruhi"),
	org("IMF", "IMF", "International Monetary Fund", "МВФ", "Международный валютный фонд", "XVJ", "Xalqaro valyuta jamgʻarmasi"),
	org("ADB", "ADB", "Asian Development Bank", "АБР", "Азиатский банк развития", "OTB", "Osiyo taraqqiyot banki"),
	org("AIIB", "AIIB", "Asian Infrastructure Investment Bank", "АБИИ", "Азиатский банк инфраструктурных инвестиций", "OIIB", "Osiyo infratuzilma investitsiyalari banki"),
	org("EBRD", "EBRD", "European Bank for Reconstruction and Development", "ЕБРР", "Европейский банк реконструкции и развития", "YTTB", "Yevropa tiklanish va taraqqiyot banki"),
	org("EIB", "EIB", "European Investment Bank", "ЕИБ", "Европейский инвестиционный банк", "YIB", "Yevropa investitsiya banki"),
	org("ISDB", "IsDB", "Islamic Development Bank", "ИсБР", "Исламский банк развития", "ITB", "Islom taraqqiyot banki"),
	org("EU", "EU", "European Union", "ЕС", "Европейский союз", "YI", "Yevropa Ittifoqi"),
	org("OSCE", "OSCE", "Organization for Security and Co-operation in Europe", "ОБСЕ", "Организация по безопасности и сотрудничеству в Европе", "YXHT", "Yevropada xavfsizlik va hamkorlik tashkiloti"),
	org("CIS", "CIS", "Commonwealth of Independent States", "СНГ", "Содружество Независимых Государств", "MDH", "Mustaqil Davlatlar Hamdoʻstligi"),
	org("SCO", "SCO", "Shanghai Cooperation Organisation", "ШОС", "Шанхайская организация сотрудничества", "ShHT", "Shanxay hamkorlik tashkiloti"),
	org("CAREC", "CAREC", "Central Asia Regional Economic Cooperation Program", "ЦАРЭС", "Программа Центральноазиатского регионального экономического сотрудничества", "CAREC", "Markaziy Osiyo mintaqaviy iqtisodiy hamkorlik dasturi"),
}

func org(code, shortEN, nameEN, shortRU, nameRU, shortUZ, nameUZ string) Organization {
	return Organization{Code: code,
		Short: Text{"en": shortEN, "ru": shortRU, "uz": shortUZ},
		Name:  Text{"en": nameEN, "ru": nameRU, "uz": nameUZ}}
}

// Delegations are the delegations a deployment knows: every country, the
// built-in organizations and those the deployment adds. A value is built
// once at start-up and only read after.
type Delegations struct {
	orgs  []Organization
	index map[string]int
}

// NewDelegations adds extra to the built-in organizations; an extra
// organization with a built-in's code replaces it (a deployment may name
// it otherwise).
func NewDelegations(extra []Organization) (*Delegations, error) {
	d := &Delegations{index: map[string]int{}}
	for _, o := range append(slices.Clone(builtinOrganizations), extra...) {
		if err := checkOrganization(o); err != nil {
			return nil, err
		}
		if i, ok := d.index[o.Code]; ok {
			d.orgs[i] = o
			continue
		}
		d.index[o.Code] = len(d.orgs)
		d.orgs = append(d.orgs, o)
	}
	return d, nil
}

// BuiltinDelegations are the countries and the built-in organizations.
func BuiltinDelegations() *Delegations {
	d, err := NewDelegations(nil)
	if err != nil { // the built-in list is checked by its tests
		panic(fmt.Sprintf("domain: built-in organizations: %v", err))
	}
	return d
}

func checkOrganization(o Organization) error {
	switch {
	case !orgCodePattern.MatchString(o.Code):
		return fmt.Errorf("organization code %q: want 2 to 16 upper-case letters or digits, starting with a letter", o.Code)
	case ValidCountry(o.Code):
		return fmt.Errorf("organization code %q is a country's code", o.Code)
	case o.Name["en"] == "":
		return fmt.Errorf("organization %s has no English name", o.Code)
	}
	return nil
}

// Organizations lists the organizations, built-in ones first.
func (d *Delegations) Organizations() []Organization { return slices.Clone(d.orgs) }

// Organization returns the organization with code (in any case).
func (d *Delegations) Organization(code string) (Organization, bool) {
	i, ok := d.index[strings.ToUpper(strings.TrimSpace(code))]
	if !ok {
		return Organization{}, false
	}
	return d.orgs[i], true
}

// Canonical returns the code of a delegation in its stored form (upper
// case), and false when it names neither a country nor an organization.
func (d *Delegations) Canonical(code string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if ValidCountry(c) {
		return c, true
	}
	_, ok := d.index[c]
	return c, ok
}

// IsOrganization reports whether code is an organization's (and not a
// country's).
func (d *Delegations) IsOrganization(code string) bool {
	_, ok := d.Organization(code)
	return ok
}

// Name is the English name a delegation is shown by in the API's
// statistics: a country's name, an organization's short name.
func (d *Delegations) Name(code string) string {
	if o, ok := d.Organization(code); ok {
		return o.Short.In("en")
	}
	return CountryName(code)
}

// ParseOrganizations reads organizations a deployment adds from CSV: a
// header row naming the columns, of which "code" and "name.en" are
// required, and "short.<lang>" and "name.<lang>" for each language
// optional (a missing short name is the code), then one organization per
// row. Errors name the line.
func ParseOrganizations(r io.Reader) ([]Organization, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		part, lang, _ := strings.Cut(h, ".")
		if h != "code" && !((part == "short" || part == "name") && slices.Contains(Languages, lang)) {
			return nil, fmt.Errorf("line 1: unknown column %q (want code, name.<lang> and short.<lang>, lang one of %s)", h, strings.Join(Languages, ", "))
		}
		cols[h] = i
	}
	if _, ok := cols["code"]; !ok {
		return nil, errors.New(`line 1: no "code" column`)
	}
	if _, ok := cols["name.en"]; !ok {
		return nil, errors.New(`line 1: no "name.en" column`)
	}
	var out []Organization
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		o := Organization{Short: Text{}, Name: Text{}}
		for h, i := range cols {
			v := CleanText(rec[i])
			if HasControl(v) {
				return nil, fmt.Errorf("line %d: column %s has control characters", line, h)
			}
			part, lang, _ := strings.Cut(h, ".")
			switch {
			case h == "code":
				o.Code = strings.ToUpper(v)
			case v == "":
			case part == "short":
				o.Short[lang] = v
			default:
				o.Name[lang] = v
			}
		}
		if o.Short["en"] == "" {
			o.Short["en"] = o.Code
		}
		if err := checkOrganization(o); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if seen[o.Code] {
			return nil, fmt.Errorf("line %d: organization %s is listed twice", line, o.Code)
		}
		seen[o.Code] = true
		out = append(out, o)
	}
}
