package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// eventColumns is the one list of event columns every query reads.
const eventColumns = `e.id, e.slug, e.title, e.description, e.venue, e.city, e.country, e.timezone,
	e.starts_on, e.ends_on, to_char(e.day_starts_at, 'HH24:MI') AS day_starts_at,
	to_char(e.day_ends_at, 'HH24:MI') AS day_ends_at, e.capacity, event_seats_held(e.id) AS seats_held,
	e.registration_opens_at, e.registration_closes_at, e.co_organizers, e.languages,
	e.published, e.confirm_within_hours, e.reminder_days_before, e.retention_days, e.created_at, e.updated_at,
	e.translations, e.questions, e.invitation_only, e.requires_approval, e.visa_letters`

// eventRow adds the array and JSON columns that domain.Event keeps as plain
// Go values.
type eventRow struct {
	domain.Event
	CoOrganizers pq.StringArray    `db:"co_organizers"`
	Languages    pq.StringArray    `db:"languages"`
	Translations translationsValue `db:"translations"`
	Questions    questionsJSON     `db:"questions"`
	VisaLetters  visaLettersJSON   `db:"visa_letters"`
}

func (r *eventRow) event() *domain.Event {
	ev := r.Event
	ev.CoOrganizers = []string(r.CoOrganizers)
	if ev.CoOrganizers == nil {
		ev.CoOrganizers = []string{}
	}
	ev.Languages = []string(r.Languages)
	ev.Translations = domain.EventTranslations(r.Translations)
	if ev.Translations == nil {
		ev.Translations = domain.EventTranslations{}
	}
	ev.Questions = domain.Questions(r.Questions)
	ev.VisaLetters = r.VisaLetters.v
	ev.ResolveLocation()
	return &ev
}

func getEvent(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) (*domain.Event, error) {
	var row eventRow
	err := sqlx.GetContext(ctx, q, &row, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENotFound, "no such event")
	}
	if err != nil {
		return nil, unavailable(err)
	}
	return row.event(), nil
}

func selectEvents(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]*domain.Event, error) {
	var rows []eventRow
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, unavailable(err)
	}
	out := make([]*domain.Event, len(rows))
	for i := range rows {
		out[i] = rows[i].event()
	}
	return out, nil
}

// CreateEvent stores ev and makes organizerID its manager, in one
// transaction, with the certificate settings of cert when given.
func (s *Store) CreateEvent(ctx context.Context, organizerID int64, ev *domain.Event, cert ...CertificateChange) error {
	return s.inTx(ctx, func(tx *dbTx) error {
		err := tx.QueryRowxContext(ctx, `
			INSERT INTO events (slug, title, description, venue, city, country, timezone,
				starts_on, ends_on, day_starts_at, day_ends_at, capacity,
				registration_opens_at, registration_closes_at, co_organizers, languages,
				published, confirm_within_hours, reminder_days_before, retention_days, created_at, updated_at,
				translations, questions, invitation_only, requires_approval, visa_letters)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21,
				$22::jsonb, $23::jsonb, $24, $25, $26::jsonb)
			RETURNING id, created_at, updated_at`,
			ev.Slug, ev.Title, ev.Description, ev.Venue, ev.City, ev.Country, ev.Timezone,
			ev.StartsOn.String(), ev.EndsOn.String(), ev.DayStartsAt, ev.DayEndsAt, ev.Capacity,
			ev.RegistrationOpensAt, ev.RegistrationClosesAt, pq.StringArray(ev.CoOrganizers),
			pq.StringArray(ev.Languages), ev.Published, ev.ConfirmWithinHours, ev.ReminderDaysBefore, ev.RetentionDays,
			tx.now, translationsValue(ev.Translations), questionsJSON(ev.Questions), ev.InvitationOnly, ev.RequiresApproval,
			visaLettersJSON{ev.VisaLetters},
		).Scan(&ev.ID, &ev.CreatedAt, &ev.UpdatedAt)
		if isUniqueViolation(err, "events_slug_key") {
			return &domain.Error{Code: domain.EConflict, Message: "an event with this slug already exists",
				Fields: []domain.FieldError{{Field: "slug", Code: "unique", Message: "Slug is already taken."}}}
		}
		if err != nil {
			return fmt.Errorf("store: insert event: %w", unavailable(err))
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO event_organizers (event_id, organizer_id, role, added_at) VALUES ($1, $2, 'owner', $3)`,
			ev.ID, organizerID, tx.now); err != nil {
			return fmt.Errorf("store: insert event organizer: %w", unavailable(err))
		}
		for _, ch := range cert {
			if err := applyCertificateChange(ctx, tx, ev.ID, ch); err != nil {
				return err
			}
		}
		return insertAudit(ctx, tx, auditRow{EventID: ev.ID, ActorID: &organizerID, Action: domain.AuditEventCreate})
	})
}

// UpdateEvent locks the organizer's event, lets change modify it, and writes
// it back, so concurrent PATCHes cannot undo each other. change returns a
// validation error to abort. A transaction PostgreSQL aborts for a
// deadlock runs again (inTxRetried), calling change again on the event as
// read then: change must set what it changes, not add to it.
//
// cert, when given, is applied in the same transaction once change has
// returned, so change can fill it in from the event as changed.
func (s *Store) UpdateEvent(ctx context.Context, organizerID int64, slug string, change func(*domain.Event) error, cert ...*CertificateChange) (*domain.Event, error) {
	var ev *domain.Event
	err := s.inTxRetried(ctx, func(tx *dbTx) error {
		var err error
		ev, err = getEvent(ctx, tx, `
			SELECT `+eventColumns+` FROM events e
			JOIN event_organizers eo ON eo.event_id = e.id AND eo.organizer_id = $2
			WHERE e.slug = $1 FOR NO KEY UPDATE OF e`, slug, organizerID)
		if err != nil {
			return err
		}
		// The parts are locked, so that the seats held are exact while a
		// new capacity is checked against them and spread over the parts.
		if ev.SeatsHeld, _, err = lockSeats(ctx, tx, ev.ID); err != nil {
			return err
		}
		before := *ev
		if err := change(ev); err != nil {
			return err
		}
		if err := ev.CheckCapacity(); err != nil {
			return err
		}
		err = tx.QueryRowxContext(ctx, `
			UPDATE events SET title = $2, description = $3, venue = $4, city = $5, country = $6,
				timezone = $7, starts_on = $8, ends_on = $9, day_starts_at = $10, day_ends_at = $11,
				capacity = $12, registration_opens_at = $13, registration_closes_at = $14,
				co_organizers = $15, languages = $16, published = $17, confirm_within_hours = $18,
				reminder_days_before = $19, retention_days = $20, updated_at = $21, translations = $22::jsonb,
				questions = $23::jsonb, invitation_only = $24, requires_approval = $25, visa_letters = $26::jsonb
			WHERE id = $1 RETURNING updated_at`,
			ev.ID, ev.Title, ev.Description, ev.Venue, ev.City, ev.Country, ev.Timezone,
			ev.StartsOn.String(), ev.EndsOn.String(), ev.DayStartsAt, ev.DayEndsAt, ev.Capacity,
			ev.RegistrationOpensAt, ev.RegistrationClosesAt, pq.StringArray(ev.CoOrganizers),
			pq.StringArray(ev.Languages), ev.Published, ev.ConfirmWithinHours, ev.ReminderDaysBefore, ev.RetentionDays,
			tx.now, translationsValue(ev.Translations), questionsJSON(ev.Questions), ev.InvitationOnly, ev.RequiresApproval,
			visaLettersJSON{ev.VisaLetters},
		).Scan(&ev.UpdatedAt)
		if err != nil {
			return fmt.Errorf("store: update event: %w", unavailable(err))
		}
		if changed := domain.ChangedFields(&before, ev); len(changed) > 0 {
			if err := insertAudit(ctx, tx, auditRow{EventID: ev.ID, ActorID: &organizerID,
				Action: domain.AuditEventUpdate, Detail: domain.AuditDetail{Fields: changed}}); err != nil {
				return err
			}
		}
		for _, ch := range cert {
			if err := applyCertificateChange(ctx, tx, ev.ID, *ch); err != nil {
				return err
			}
		}
		// A raised capacity goes to the waiting list at once.
		if err := s.fillSeats(ctx, tx, ev); err != nil {
			return err
		}
		return tx.GetContext(ctx, &ev.SeatsHeld, `SELECT event_seats_held($1)`, ev.ID)
	})
	s.events.forget(slug)
	return ev, err
}

// RegistrationEvent is PublishedEvent for a registration request. With
// EventCacheTTL set, an event read in the last EventCacheTTL comes from
// memory: during a registration rush the event lookup was one of a
// request's two statements (docs/PERFORMANCE.md). The copy may be that
// much out of date, which a registration can afford: its seat is counted
// under the event's row lock, not from this copy, and a change of dates or
// of the registration window, or unpublishing, takes effect within the TTL
// (at once for changes made through this Store).
func (s *Store) RegistrationEvent(ctx context.Context, slug string) (*domain.Event, error) {
	if s.EventCacheTTL <= 0 {
		return s.PublishedEvent(ctx, slug)
	}
	now := s.Now()
	ev, version, ok := s.events.get(slug, now)
	if ok {
		return ev, nil
	}
	ev, err := s.PublishedEvent(ctx, slug)
	if err != nil {
		return nil, err
	}
	s.events.put(slug, ev, version, now, s.EventCacheTTL)
	return ev, nil
}

// eventCache holds recently read published events by slug. version counts
// the updates made through this Store: an event read before an update
// committed is not cached after it.
type eventCache struct {
	mu      sync.Mutex
	m       map[string]cachedEvent
	version uint64
}

type cachedEvent struct {
	ev      domain.Event
	expires time.Time
}

// get returns a copy of the cached event, so callers may change theirs,
// and the cache's version, for put after a miss.
func (c *eventCache) get(slug string, now time.Time) (*domain.Event, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[slug]
	if !ok || !now.Before(e.expires) {
		return nil, c.version, false
	}
	ev := e.ev
	return &ev, c.version, true
}

// put caches ev as read at version; an update since then wins.
func (c *eventCache) put(slug string, ev *domain.Event, version uint64, now time.Time, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version {
		return
	}
	if c.m == nil {
		c.m = make(map[string]cachedEvent)
	}
	for k, e := range c.m { // expired entries go, so the map holds only the events in use
		if !now.Before(e.expires) {
			delete(c.m, k)
		}
	}
	c.m[slug] = cachedEvent{ev: *ev, expires: now.Add(ttl)}
}

func (c *eventCache) forget(slug string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.version++
	delete(c.m, slug)
}

// PublishedEvent returns a published event by slug.
func (s *Store) PublishedEvent(ctx context.Context, slug string) (*domain.Event, error) {
	return getEvent(ctx, s.db, `SELECT `+eventColumns+` FROM events e WHERE e.slug = $1 AND e.published`, slug)
}

// ManagedEvent returns an event whose team the organizer is on, whatever
// their role (Membership says which); any other is not found.
func (s *Store) ManagedEvent(ctx context.Context, organizerID int64, slug string) (*domain.Event, error) {
	return getEvent(ctx, s.db, `
		SELECT `+eventColumns+` FROM events e
		JOIN event_organizers eo ON eo.event_id = e.id AND eo.organizer_id = $2
		WHERE e.slug = $1`, slug, organizerID)
}

// PublishedEvents lists published events, soonest first. With upcoming set,
// only events that have not ended yet.
func (s *Store) PublishedEvents(ctx context.Context, upcoming bool) ([]*domain.Event, error) {
	return selectEvents(ctx, s.db, `
		SELECT `+eventColumns+` FROM events e
		WHERE e.published AND (NOT $1 OR e.ends_on >= ($2::timestamptz AT TIME ZONE e.timezone)::date)
		ORDER BY e.starts_on, e.id`, upcoming, s.Now())
}

// ManagedEvents lists the events whose team the organizer is on, newest
// first.
func (s *Store) ManagedEvents(ctx context.Context, organizerID int64) ([]*domain.Event, error) {
	return selectEvents(ctx, s.db, `
		SELECT `+eventColumns+` FROM events e
		JOIN event_organizers eo ON eo.event_id = e.id AND eo.organizer_id = $1
		ORDER BY e.starts_on DESC, e.id DESC`, organizerID)
}
