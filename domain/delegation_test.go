package domain_test

import (
	"strings"
	"testing"

	"github.com/attend/attend/domain"
)

func TestDelegationDefaultsToTheCountry(t *testing.T) {
	rules := domain.NewRules()
	tests := []struct {
		sent, country, want string
	}{
		{"", "UZ", "UZ"},
		{"oecd", "FR", "OECD"},
		{" IsDB ", "SA", "ISDB"},
		{"kz", "UZ", "KZ"},
		{"EU", "BE", "EU"},
	}
	for _, tt := range tests {
		in := validRegistration()
		in.Delegation, in.Country = tt.sent, tt.country
		reg, err := rules.NewRegistration(in, workshop(), registeredAt)
		if err != nil {
			t.Fatalf("delegation %q: %v", tt.sent, err)
		}
		if reg.Delegation != tt.want {
			t.Errorf("delegation %q of %s = %q, want %q", tt.sent, tt.country, reg.Delegation, tt.want)
		}
	}
	for _, bad := range []string{"NATO2", "XX", "Organisation for Economic Co-operation and Development"} {
		in := validRegistration()
		in.Delegation = bad
		_, err := rules.NewRegistration(in, workshop(), registeredAt)
		code := "delegation"
		if len(bad) > 16 {
			code = "max"
		}
		assertFields(t, err, map[string]string{"delegation": code})
	}
}

func TestBuiltinOrganizationsHaveThreeLanguages(t *testing.T) {
	d := domain.BuiltinDelegations()
	orgs := d.Organizations()
	for _, want := range []string{"OECD", "UNDP", "UNICEF", "WB", "ADB", "EBRD", "ISDB", "EU", "OSCE", "CIS"} {
		if _, ok := d.Organization(want); !ok {
			t.Errorf("no built-in organization %s", want)
		}
	}
	for _, o := range orgs {
		for _, lang := range domain.Languages {
			if o.Short[lang] == "" || o.Name[lang] == "" {
				t.Errorf("%s has no short name or name in %s", o.Code, lang)
			}
		}
	}
	if d.Name("OECD") != "OECD" || d.Name("FR") != "France" {
		t.Errorf("names = %q, %q", d.Name("OECD"), d.Name("FR"))
	}
}

func TestDeploymentsAddOrganizations(t *testing.T) {
	const file = "\uFEFFcode,name.en,short.ru,name.ru\n# the Hub\nACSH,Astana Civil Service Hub,Хаб,Астанинский хаб государственной службы\noecd,OECD (renamed),ОЭСР,ОЭСР\n"
	extra, err := domain.ParseOrganizations(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	d, err := domain.NewDelegations(extra)
	if err != nil {
		t.Fatal(err)
	}
	hub, ok := d.Organization("acsh")
	if !ok || hub.Short["en"] != "ACSH" || hub.Short["ru"] != "Хаб" || hub.Name["en"] != "Astana Civil Service Hub" {
		t.Errorf("ACSH = %+v (found %v)", hub, ok)
	}
	if o, _ := d.Organization("OECD"); o.Name["en"] != "OECD (renamed)" {
		t.Errorf("OECD = %+v, want the deployment's name", o)
	}
	if n := len(d.Organizations()); n != len(domain.BuiltinDelegations().Organizations())+1 {
		t.Errorf("%d organizations, want the built-ins and one more", n)
	}
	rules := domain.NewRulesWith(d)
	in := validRegistration()
	in.Delegation = "ACSH"
	if _, err := rules.NewRegistration(in, workshop(), registeredAt); err != nil {
		t.Errorf("ACSH refused: %v", err)
	}

	for name, bad := range map[string]string{
		"no code column":          "name.en\nX\n",
		"an unknown column":       "code,name.en,name.de\nACSH,Hub,Hub\n",
		"a country's code":        "code,name.en\nFR,France\n",
		"no English name":         "code,name.en\nACSH,\n",
		"a code with a space":     "code,name.en\nAC SH,Hub\n",
		"an organization twice":   "code,name.en\nACSH,Hub\nacsh,Hub\n",
		"a row of the wrong size": "code,name.en\nACSH\n",
	} {
		if _, err := domain.ParseOrganizations(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestLatinNamesAreLatin(t *testing.T) {
	rules := domain.NewRules()
	in := validRegistration()
	in.FirstName, in.LastName = "Дилноза", "Юсупова"
	in.LatinFirstName, in.LatinLastName = "Dilnoza", "Yusupova"
	reg, err := rules.NewRegistration(in, workshop(), registeredAt)
	if err != nil {
		t.Fatal(err)
	}
	if f, l := reg.PassportName(); f != "Dilnoza" || l != "Yusupova" {
		t.Errorf("passport name = %s %s", f, l)
	}
	reg.LatinFirstName, reg.LatinLastName = "", ""
	if f, _ := reg.PassportName(); f != "Дилноза" {
		t.Errorf("passport name without a Latin one = %s, want the name", f)
	}
	for _, ok := range []string{"Gʻayrat", "Toʻxtayev", "O'Brien-Smith", "José Müller", "St. John"} {
		in := validRegistration()
		in.LatinLastName = ok
		if _, err := rules.NewRegistration(in, workshop(), registeredAt); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"Юсупова", "Smith2", "李"} {
		in := validRegistration()
		in.LatinLastName = bad
		_, err := rules.NewRegistration(in, workshop(), registeredAt)
		assertFields(t, err, map[string]string{"latin_last_name": "latin"})
	}
}

func TestRulesWithoutDelegationsKnowTheBuiltInOnes(t *testing.T) {
	in := validRegistration()
	in.Delegation = "OECD"
	if _, err := domain.NewRulesWith(nil).NewRegistration(in, workshop(), registeredAt); err != nil {
		t.Errorf("OECD refused: %v", err)
	}
}
