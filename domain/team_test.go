package domain_test

import (
	"strings"
	"testing"

	"github.com/attend/attend/domain"
)

// TestWhatEachRoleMayDo is the permission table written out: a change to
// who may do what has to change this test too.
func TestWhatEachRoleMayDo(t *testing.T) {
	want := map[domain.TeamRole][]domain.Permission{
		domain.RoleOwner: domain.Permissions,
		domain.RoleOrganizer: {domain.PermSeeEvent, domain.PermCheckIn, domain.PermReadRegistrations,
			domain.PermChangeRegistrations, domain.PermExport, domain.PermEditEvent, domain.PermReadAudit, domain.PermReadTeam},
		domain.RoleDoor: {domain.PermSeeEvent, domain.PermCheckIn},
		"":              nil,
		"admin":         nil,
	}
	for role, allowed := range want {
		for _, p := range domain.Permissions {
			wantCan := false
			for _, a := range allowed {
				wantCan = wantCan || a == p
			}
			if got := role.Can(p); got != wantCan {
				t.Errorf("%q.Can(%s) = %v, want %v", role, p, got, wantCan)
			}
		}
	}
}

func TestDoorStaffNeitherExportNorChangeRegistrations(t *testing.T) {
	for _, p := range []domain.Permission{domain.PermExport, domain.PermReadRegistrations,
		domain.PermChangeRegistrations, domain.PermReadAudit, domain.PermEditEvent, domain.PermReadTeam} {
		if domain.RoleDoor.Can(p) {
			t.Errorf("door staff may %s", p)
		}
	}
	if domain.RoleOrganizer.Can(domain.PermManageTeam) {
		t.Error("an organizer may manage the team; only the owner may")
	}
}

func TestMemberInputValidation(t *testing.T) {
	cases := []struct {
		name string
		in   domain.MemberInput
		want map[string]string
		role domain.TeamRole
	}{
		{"an organizer", domain.MemberInput{Email: " Aigerim@Example.KZ ", Role: "Organizer"}, nil, domain.RoleOrganizer},
		{"door staff with a language", domain.MemberInput{Email: "desk@example.uz", Role: "door", Language: "uz"}, nil, domain.RoleDoor},
		{"nothing", domain.MemberInput{}, map[string]string{"email": "required", "role": "required"}, ""},
		{"a second owner", domain.MemberInput{Email: "a@example.org", Role: "owner"}, map[string]string{"role": "oneof"}, ""},
		{"a bad address and language", domain.MemberInput{Email: "Aigerim <a@example.org>", Role: "door", Language: "de"},
			map[string]string{"email": "email", "language": "oneof"}, ""},
		{"an address with bytes that are not UTF-8", domain.MemberInput{Email: "\xff@example.org", Role: "door"},
			map[string]string{"email": "email"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := c.in.Validate()
			if c.want != nil {
				assertFields(t, err, c.want)
				return
			}
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if m.Role != c.role || m.Email != strings.ToLower(strings.TrimSpace(c.in.Email)) {
				t.Errorf("Validate = %+v", m)
			}
		})
	}
}
