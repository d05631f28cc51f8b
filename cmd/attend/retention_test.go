package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/demo"
	"github.com/attend/attend/internal/smtptest"
	"github.com/attend/attend/store"
)

// pastEvent creates, for the demo organizer, an event that ended in 2020
// with a 30-day retention period and the given participants.
func pastEvent(t *testing.T, st *store.Store, slug string, people [][2]string) {
	t.Helper()
	ctx := context.Background()
	rules := domain.NewRules()
	org, err := st.OrganizerByEmail(ctx, demo.Organizer)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := rules.NewEvent(domain.EventInput{
		Slug: domain.Some(slug), Title: domain.Some("Open data round table"),
		Country: domain.Some("UZ"), Timezone: domain.Some("Asia/Tashkent"),
		StartsOn: domain.Some("2020-02-11"), EndsOn: domain.Some("2020-02-11"),
		RetentionDays: domain.Some(30), Languages: domain.Some([]string{"en"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateEvent(ctx, org.ID, ev); err != nil {
		t.Fatal(err)
	}
	consent := true
	for _, p := range people {
		reg, err := rules.NewRegistration(domain.RegistrationInput{
			FirstName: p[0], LastName: "Participant", Email: p[1], Country: "UZ",
			Organization: "Ministry of Justice", Role: "practitioner", Language: "en", Consent: &consent,
		}, ev, time.Date(2020, 1, 20, 9, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ImportRegistration(ctx, ev, reg); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWorkerLogsWhatRetentionErased runs the real `attend worker` over a
// database with the demo and an event long past its retention period: the
// retention job says which event it anonymized and how many registrations,
// names nobody, and leaves the demo's 2019 workshop alone.
func TestWorkerLogsWhatRetentionErased(t *testing.T) {
	c := newCLI(t)
	c.env["SMTP_URL"] = smtptest.Start(t).URL()
	c.must("demo")
	people := [][2]string{{"Zarina", "zarina.k@example.uz"}, {"Timur", "timur.a@example.uz"}, {"Nodira", "nodira.s@example.uz"}}
	pastEvent(t, store.New(c.db()), "open-data-2020", people)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := newLogWatcher()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"worker"}, c.getenv, strings.NewReader(""), io.Discard, logs) }()
	// The worker runs its periodic jobs as it starts; wait for the erasure
	// to be committed (the deadline only keeps a broken build from hanging).
	deadline := time.Now().Add(60 * time.Second)
	for c.count(`SELECT count(*) FROM registrations WHERE erased_at IS NOT NULL`) < len(people) {
		if time.Now().After(deadline) {
			t.Fatalf("the worker erased nothing within a minute\n%s", logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("worker: %v\n%s", err, logs)
	}

	type entry struct {
		Msg           string `json:"msg"`
		Event         string `json:"event"`
		Registrations int    `json:"registrations"`
	}
	var erased []entry
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var e entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		if strings.HasPrefix(e.Msg, "retention") {
			erased = append(erased, e)
		}
	}
	want := entry{Msg: "retention: personal data erased", Event: "open-data-2020", Registrations: len(people)}
	if len(erased) != 1 || erased[0] != want {
		t.Errorf("retention log lines = %+v, want one: %+v\n%s", erased, want, logs)
	}
	for _, p := range people {
		if strings.Contains(logs.String(), p[0]) || strings.Contains(logs.String(), p[1]) {
			t.Errorf("the log names %s <%s>:\n%s", p[0], p[1], logs)
		}
	}
	if n := c.count(`SELECT count(*) FROM registrations r JOIN events e ON e.id = r.event_id
		WHERE e.slug = '` + demo.PastSlug + `' AND r.erased_at IS NULL`); n != 13 {
		t.Errorf("the demo workshop keeps %d of its 13 participants", n)
	}
}
