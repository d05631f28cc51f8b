//go:build linux

package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/smtptest"
)

// sendMessage writes an organizer message to every pending participant of
// slug, sent at once, through the API; it returns how many were queued.
func sendMessage(t *testing.T, base, token, slug string) int {
	t.Helper()
	body := `{"texts": {"en": {"subject": "The venue moved", "body": "Dear {name}, we meet in room 5."}},
		"filter": {"statuses": ["pending"]}, "send": true}`
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/events/"+slug+"/messages", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("send message: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("send message: %s %s", resp.Status, b)
	}
	var m struct {
		Added int `json:"added"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.Added
}

func TestKill9DuringAMessageSendWritesToNobodyTwiceBeyondOnePerKill(t *testing.T) {
	parallel(t)
	var (
		n         = size(120, 400)
		killEvery = 700 * time.Millisecond // ± 30 %
		delay     = 5 * time.Millisecond   // per SMTP reply: a send takes seconds, so kills land mid-send
	)
	mail := smtptest.Start(t)
	dbURL := pgtest.NewURL(t)
	db := openDB(t, dbURL)
	e := baseEnv(dbURL, mail.URL())
	token := organizerToken(t, e)

	// The participants register and get their confirmation requests first.
	srv := startServer(t, "serve#1", e)
	slug := createEvent(t, srv.url(), token, eventSpec{slug: "kill-message"})
	client := newClient(true, 10*time.Second)
	for i := range n {
		r := register(context.Background(), client, srv.url(), slug, fmt.Sprintf("msg-%04d@example.org", i))
		if r.err != nil || r.status != http.StatusAccepted {
			t.Fatalf("register: %d %v", r.status, r.err)
		}
	}
	waitOutboxEmpty(t, db, 60*time.Second)
	srv.kill()
	before := len(mail.Messages())

	// Then the organizers write to all of them over a slow relay, and the
	// process is killed again and again while it sends.
	proxy := startLatencyProxy(t, mail.Addr(), delay)
	// One SMTP connection, so that a kill catches at most one message on
	// the wire: the bound the test checks is one duplicate per kill.
	e = e.with("SMTP_URL", proxy.url(), "MESSAGES_PER_ADDRESS_HOUR", "10", "MAIL_CONNECTIONS", "1")
	srv = startServer(t, "serve#2", e)
	if added := sendMessage(t, srv.url(), token, slug); added != n {
		t.Fatalf("the message was queued for %d, want %d", added, n)
	}
	var id int64
	if err := db.Get(&id, `SELECT id FROM messages`); err != nil {
		t.Fatal(err)
	}
	kills, runs := 0, 2
	orphans := map[claim]bool{}
	for {
		time.Sleep(time.Duration(float64(killEvery) * (0.7 + 0.6*rand.Float64())))
		if done, _ := outboxDrained(db); done {
			break
		}
		srv.kill()
		kills++
		for _, c := range orphanedClaims(t, db) {
			orphans[c] = true
		}
		runs++
		srv = startServer(t, fmt.Sprintf("serve#%d", runs), e)
	}
	waitOutboxEmpty(t, db, 60*time.Second)
	srv.signal(t, syscall.SIGTERM)
	if code, _ := srv.wait(t, 30*time.Second); code != 0 {
		t.Errorf("the final server exited with status %d, want 0", code)
	}

	recipients := count(t, db, `SELECT count(*) FROM message_recipients WHERE message_id = $1`, id)
	distinct := count(t, db, `SELECT count(DISTINCT registration_id) FROM emails WHERE kind = 'message'`)
	rows := count(t, db, `SELECT count(*) FROM emails WHERE kind = 'message'`)
	if recipients != n || distinct != n || rows != n {
		t.Errorf("%d recipients, %d message emails for %d people; want %d each", recipients, rows, distinct, n)
	}
	all := emailRows(t, db)
	orphanedTimes := map[int64]int{}
	for c := range orphans {
		orphanedTimes[c.id]++
	}
	ds := deliveredMail(t, mail)
	duplicates := deliveryCheck(t, all, ds, func(r emailRow) int { return 1 + orphanedTimes[r.ID] })
	if duplicates > kills {
		t.Errorf("%d duplicate deliveries after %d kills: more than one per kill", duplicates, kills)
	}
	perAddress := map[string]int{}
	for _, d := range ds[before:] {
		perAddress[d.To]++
	}
	if len(perAddress) != n {
		t.Errorf("the message reached %d addresses, want %d", len(perAddress), n)
	}
	t.Logf("found: %d recipients, %d kills (%d claims orphaned), %d messages delivered, %d duplicates",
		n, kills, len(orphans), len(ds)-before, duplicates)
	recordFigures(t, "kill -9 during a message send", fmt.Sprintf(
		"%d recipients, %d kills (%d claims orphaned); %d delivered, %d duplicates",
		n, kills, len(orphans), len(ds)-before, duplicates))
}
