package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/attend/attend/domain"
)

func TestCreateOrganizerRefusesTheSameEmailInAnotherCase(t *testing.T) {
	f := newFixture(t)
	o, err := domain.NewOrganizer("LEAD@example.org", "Someone")
	if err != nil {
		t.Fatal(err)
	}
	// NewOrganizer lower-cases; write the other case directly to be sure the
	// database, not Go, enforces it.
	o.Email = "LEAD@Example.org"
	err = f.st.CreateOrganizer(context.Background(), o)
	wantCode(t, err, domain.EConflict)
	if n := count(t, f.db, `SELECT count(*) FROM organizers`); n != 1 {
		t.Errorf("%d organizers, want 1", n)
	}
}

func TestEnsureOrganizerIsIdempotent(t *testing.T) {
	f := newFixture(t)
	o := &domain.Organizer{Email: "lead@example.org", Name: "Other name"}
	if err := f.st.EnsureOrganizer(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if o.ID != f.org.ID || o.Name != f.org.Name {
		t.Errorf("EnsureOrganizer gave %+v, want the existing %+v", o, f.org)
	}
}

func TestOrganizerByEmailIgnoresCase(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	o, err := f.st.OrganizerByEmail(ctx, "Lead@EXAMPLE.org")
	if err != nil || o.ID != f.org.ID {
		t.Errorf("OrganizerByEmail = %+v, %v; want organizer %d", o, err, f.org.ID)
	}
	_, err = f.st.OrganizerByEmail(ctx, "nobody@example.org")
	wantCode(t, err, domain.ENotFound)
}

func TestOrganizerByTokenHash(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	plain, hash, err := domain.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.CreateAPIToken(ctx, f.org.ID, hash); err != nil {
		t.Fatal(err)
	}

	t.Run("a known token finds its organizer and records its use", func(t *testing.T) {
		o, err := f.st.OrganizerByTokenHash(ctx, domain.HashToken(plain))
		if err != nil || o.ID != f.org.ID || o.Email != "lead@example.org" {
			t.Fatalf("OrganizerByTokenHash = %+v, %v", o, err)
		}
		if n := count(t, f.db, `SELECT count(*) FROM api_tokens WHERE last_used_at IS NOT NULL`); n != 1 {
			t.Errorf("last_used_at was not recorded")
		}
	})

	t.Run("an unknown token is unauthorized, not not-found", func(t *testing.T) {
		_, unknown, err := domain.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.st.OrganizerByTokenHash(ctx, unknown)
		wantCode(t, err, domain.EUnauthorized)
		if !errors.Is(err, domain.ErrUnauthorized) {
			t.Errorf("errors.Is(%v, ErrUnauthorized) = false", err)
		}
	})

	t.Run("the plain token itself is not a hash that works", func(t *testing.T) {
		_, err := f.st.OrganizerByTokenHash(ctx, []byte(plain))
		wantCode(t, err, domain.EUnauthorized)
	})

	t.Run("only the hash is stored", func(t *testing.T) {
		if n := count(t, f.db, `SELECT count(*) FROM api_tokens WHERE token_hash = $1`, []byte(plain)); n != 0 {
			t.Error("the plain token is stored")
		}
	})
}
