package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// Participants' registrations that arrive while others are being written
// are written together, in one statement and one commit (docs/PERFORMANCE.md,
// "Registrations written together"). PostgreSQL's cost of a registration is
// mostly per statement and per commit, not per row: the round trip, the
// executor's start, the tally trigger (which runs once per statement), the
// commit record and its disk flush. So when every batch allowed at once is
// in flight, a registration waits for one to end and goes in the next,
// with whatever else arrived meanwhile. A request that finds a batch free
// is written at once, alone, by the one-row statement (registerStatement):
// an idle server adds no wait and no new statement.

// DefaultRegisterBatchSize and DefaultRegisterBatches are the defaults of
// REGISTER_BATCH_SIZE and REGISTER_BATCHES.
const (
	DefaultRegisterBatchSize = 32
	DefaultRegisterBatches   = 4
)

// RegisterBatchesFor is REGISTER_BATCHES' default for a process with
// dbConns database connections: DefaultRegisterBatches, at most half of
// them, so that the rest stay free for its other work.
func RegisterBatchesFor(dbConns int) int {
	return min(DefaultRegisterBatches, max(1, dbConns/2))
}

// registerBatcher gathers registrations into batches. Whoever finds fewer
// than the allowed batches in flight leads one: it writes its own request
// and those queued, hands the lead to the first request queued meanwhile,
// and returns. No goroutine of its own is needed, so a Store has nothing
// to stop.
type registerBatcher struct {
	mu      sync.Mutex
	queue   []*queuedRegistration
	running int
}

// queuedRegistration is one request in a batch, and what became of it.
type queuedRegistration struct {
	ctx  context.Context
	ev   *domain.Event
	reg  *domain.Registration
	plan domain.RegisterPlan

	// queuedAt is when the request joined the queue; zero when it led a
	// batch at once.
	queuedAt time.Time

	row registerAnswer
	err error
	// wake is sent true when the request is to lead the next batch, false
	// when it has been written.
	wake chan bool
}

// errWriteAlone is a batch's answer for a request it did not write and
// whose own statement decides (seat parts that ran out of seats within
// the batch, or a batch that failed as a whole: one bad row must not fail
// the others).
var errWriteAlone = errors.New("store: register alone")

func (s *Store) registerBatchSize() int {
	if s.RegisterBatchSize <= 0 {
		return DefaultRegisterBatchSize
	}
	return s.RegisterBatchSize
}

func (s *Store) registerBatches() int {
	if s.RegisterBatches <= 0 {
		return DefaultRegisterBatches
	}
	return s.RegisterBatches
}

// registerBatched writes a new address's registration as registerRow with
// newOnly does, alone or in a batch: the same answers, sql.ErrNoRows when
// no seat part had a seat, or errWriteAlone.
func (s *Store) registerBatched(ctx context.Context, ev *domain.Event, reg *domain.Registration, plan domain.RegisterPlan) (registerAnswer, error) {
	if s.registerBatchSize() == 1 {
		return s.registerNew(ctx, ev, reg, plan)
	}
	q := &queuedRegistration{ctx: ctx, ev: ev, reg: reg, plan: plan, wake: make(chan bool, 1)}
	b := &s.batcher
	b.mu.Lock()
	if b.running < s.registerBatches() {
		b.running++
		b.mu.Unlock()
		s.leadBatch(q)
		return q.row, q.err
	}
	q.queuedAt = time.Now()
	b.queue = append(b.queue, q)
	b.mu.Unlock()
	var lead bool
	select {
	case lead = <-q.wake:
	case <-ctx.Done():
		// The client left while queued: out of the queue, unless a
		// leader has taken it already, whose answer then comes.
		b.mu.Lock()
		if i := slices.Index(b.queue, q); i >= 0 {
			b.queue = slices.Delete(b.queue, i, i+1)
			b.mu.Unlock()
			return registerAnswer{}, ctx.Err()
		}
		b.mu.Unlock()
		lead = <-q.wake
	}
	if lead {
		s.leadBatch(q)
	}
	return q.row, q.err
}

// registerNew writes one new address's registration alone, by its own
// statement committed on its own (registerStatement with newOnly).
func (s *Store) registerNew(ctx context.Context, ev *domain.Event, reg *domain.Registration, plan domain.RegisterPlan) (registerAnswer, error) {
	return s.registerRow(ctx, nil, ev, reg, plan, registerWay{newOnly: true}, s.Now())
}

// leadBatch writes first and up to a batch's size of the requests queued,
// then hands the lead on. Every request it took is answered, even should
// writing panic.
func (s *Store) leadBatch(first *queuedRegistration) {
	b := &s.batcher
	b.mu.Lock()
	n := min(len(b.queue), s.registerBatchSize()-1)
	batch := append([]*queuedRegistration{first}, b.queue[:n]...)
	b.queue = slices.Delete(b.queue, 0, n)
	b.mu.Unlock()

	defer func() {
		if p := recover(); p != nil {
			for _, q := range batch {
				if q.err == nil && q.row.Answer == "" {
					q.err = fmt.Errorf("store: register batch: %v", p)
				}
			}
			s.handOn(batch, first)
			panic(p)
		}
		s.handOn(batch, first)
	}()
	s.writeBatch(batch)
}

// handOn answers the batch's requests other than its leader, and passes
// the lead to the first request queued, or frees the batch's place.
func (s *Store) handOn(batch []*queuedRegistration, leader *queuedRegistration) {
	for _, q := range batch {
		if q != leader {
			q.wake <- false
		}
	}
	b := &s.batcher
	b.mu.Lock()
	if len(b.queue) == 0 {
		b.running--
		b.mu.Unlock()
		return
	}
	next := b.queue[0]
	b.queue = slices.Delete(b.queue, 0, 1)
	b.mu.Unlock()
	next.wake <- true
}

// writeBatch writes the batch's requests, one statement per event: a
// request alone by its one-row statement, several by registerManyStatement.
// A request whose client has gone is not written.
func (s *Store) writeBatch(batch []*queuedRegistration) {
	var live []*queuedRegistration
	for _, q := range batch {
		if err := q.ctx.Err(); err != nil {
			q.err = err
			continue
		}
		live = append(live, q)
	}
	for len(live) > 0 {
		ev := live[0].ev
		same := func(q *queuedRegistration) bool { return q.ev.ID == ev.ID }
		var group []*queuedRegistration
		for _, q := range live {
			if same(q) {
				group = append(group, q)
			}
		}
		live = slices.DeleteFunc(live, same)
		s.observeBatch(group)
		if len(group) == 1 {
			q := group[0]
			q.row, q.err = s.registerNew(q.ctx, q.ev, q.reg, q.plan)
			continue
		}
		s.writeMany(group)
	}
}

// observeBatch tells RegisterBatchObserver of a statement about to be
// written: its requests, and the longest any of them waited in the queue.
func (s *Store) observeBatch(group []*queuedRegistration) {
	if s.RegisterBatchObserver == nil {
		return
	}
	var waited time.Duration
	for _, q := range group {
		if !q.queuedAt.IsZero() {
			waited = max(waited, time.Since(q.queuedAt))
		}
	}
	s.RegisterBatchObserver(len(group), waited)
}

// writeMany writes several registrations for one event in one statement,
// retried as a whole on a deadlock or a serialization failure and with new
// check-in codes on a collision of codes. Should it fail otherwise, each
// request is written by its own statement, so that only a bad one fails.
func (s *Store) writeMany(group []*queuedRegistration) {
	// Not the first request's context: its client leaving must not end
	// the others' statement. It may last as long as the latest of their
	// deadlines (and the connection's statement_timeout bounds the
	// statement itself).
	ctx := context.WithoutCancel(group[0].ctx)
	var latest time.Time
	for _, q := range group {
		d, ok := q.ctx.Deadline()
		if !ok {
			latest = time.Time{}
			break
		}
		if d.After(latest) {
			latest = d
		}
	}
	if !latest.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, latest)
		defer cancel()
	}
	// The statement tells its rows apart by check-in code.
	codes := map[string]bool{}
	for _, q := range group {
		for codes[q.reg.CheckinCode] {
			code, err := domain.NewCheckinCode()
			if err != nil {
				for _, q := range group {
					q.err = err
				}
				return
			}
			q.reg.CheckinCode = code
		}
		codes[q.reg.CheckinCode] = true
	}
	var rows []registerManyRow
	err := retried(ctx, func() error {
		for attempt := 0; ; attempt++ {
			query, args, err := s.registerManyStatement(group, s.Now())
			if err != nil {
				return err
			}
			rows = rows[:0]
			err = s.selectPrepared(ctx, &rows, query, args...)
			if checkinCodeTaken(err) && attempt < checkinRetries {
				for _, q := range group {
					if q.reg.CheckinCode, err = domain.NewCheckinCode(); err != nil {
						return err
					}
				}
				continue
			}
			if err != nil {
				return fmt.Errorf("store: register %d at once: %w", len(group), unavailable(err))
			}
			return nil
		}
	})
	inOrder := len(rows) == len(group)
	for i := 0; inOrder && i < len(rows); i++ {
		inOrder = rows[i].Ord == int64(i+1)
	}
	if err != nil || !inOrder {
		for _, q := range group {
			q.err = errWriteAlone
		}
		return
	}
	for i, q := range group {
		q.row, q.err = rows[i].answer(q.plan)
	}
}

// registerManyRow is registerManyStatement's row for one request, in the
// order of the batch.
type registerManyRow struct {
	Ord int64 `db:"ord"`
	// Seen says that seat parts with seats were found (and locked).
	Seen bool `db:"seen"`
	// Known is the status of the address's registration, if it has one:
	// nothing was written for it.
	Known *domain.Status `db:"known"`
	// Taken says that the request had its seat, or needed none, and so
	// was to be inserted: without a registration, the address was
	// registered meanwhile (or twice in the batch).
	Taken       bool           `db:"taken"`
	ID          *string        `db:"id"`
	Status      *domain.Status `db:"status"`
	CheckinCode *string        `db:"checkin_code"`
	CreatedAt   *time.Time     `db:"created_at"`
}

// answer is the row as registerRow with newOnly would have answered it:
// sql.ErrNoRows for no seat found, errWriteAlone for parts that ran out
// within the batch.
func (r registerManyRow) answer(plan domain.RegisterPlan) (registerAnswer, error) {
	row := registerAnswer{Answer: plan.Full.To, Known: r.Known, ID: r.ID, Status: r.Status,
		CheckinCode: r.CheckinCode, CreatedAt: r.CreatedAt}
	if r.Seen {
		row.Answer = plan.SeatFree.To
	}
	switch {
	case r.Known != nil || r.Taken:
		return row, nil
	case r.Seen:
		return row, errWriteAlone
	default:
		return row, sql.ErrNoRows
	}
}

// registerManyStatement is registerStatement with newOnly for several new
// addresses of one event, given as arrays unnested into rows, so that the
// text is the same whatever their number and is prepared once. It locks
// seat parts as a single registration locks one, and gives their seats to
// as many of the requests as they have seats for, in the batch's order;
// the others write nothing. An address registered before is left as it
// is and answered with its status.
func (s *Store) registerManyStatement(group []*queuedRegistration, now time.Time) (string, []any, error) {
	ev := group[0].ev
	n := len(group)
	var (
		emails, codes, statuses, kinds, firsts, lasts, phones, countries = make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
		orgs, positions, roles, languages, days, consents, delegations   = make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
		latinFirsts, latinLasts, answers, payloads, messageIDs           = make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
		seats, confirms, verifies                                        = make(pq.BoolArray, n), make(pq.BoolArray, n), make(pq.BoolArray, n)
		hashes                                                           = make(pq.ByteaArray, n)
	)
	for i, q := range group {
		r, t := q.reg, q.plan.SeatFree
		hash, sealed, err := s.newLink()
		if err != nil {
			return "", nil, err
		}
		payload, err := EmailPayload{SealedToken: sealed}.Value()
		if err != nil {
			return "", nil, err
		}
		dayList, err := pq.StringArray(domain.DateStrings(r.Days)).Value()
		if err != nil {
			return "", nil, err
		}
		answerText, err := answersJSON(r.Answers).Value()
		if err != nil {
			return "", nil, err
		}
		emails[i], codes[i], statuses[i], kinds[i] = r.Email, r.CheckinCode, string(t.To), string(t.Email)
		firsts[i], lasts[i], phones[i], countries[i] = r.FirstName, r.LastName, r.Phone, r.Country
		orgs[i], positions[i], roles[i], languages[i] = r.Organization, r.Position, r.Role, r.Language
		days[i], consents[i], delegations[i] = dayList.(string), r.ConsentAt.Format(time.RFC3339Nano), r.Delegation
		latinFirsts[i], latinLasts[i], answers[i] = r.LatinFirstName, r.LatinLastName, answerText.(string)
		payloads[i], messageIDs[i] = payload.(string), domain.NewMessageID(s.MailHost, now)
		seats[i], confirms[i], verifies[i] = t.TakesSeat(), t.Confirms(), t.VerifiesAddress()
		hashes[i] = hash
	}
	args := []any{ev.ID, now, s.linkExpiry(ev),
		emails, codes, statuses, kinds, seats, confirms, verifies, firsts, lasts, phones, countries,
		orgs, positions, roles, languages, days, consents, delegations, latinFirsts, latinLasts, answers,
		hashes, payloads, messageIDs, partsFor(ev, seats)}
	return registerManyQuery, args, nil
}

// partsFor is how many seat parts a batch locks for its seats: one for an
// event without a capacity, else enough for them all should each part
// hold an even share of the seats left the event was read with, and one
// more. Too few leaves the rest to their own statements; never more
// than the sixteen parts.
func partsFor(ev *domain.Event, seats pq.BoolArray) int {
	left := ev.SeatsLeft()
	if left == nil {
		return 1
	}
	need := 0
	for _, seat := range seats {
		if seat {
			need++
		}
	}
	perPart := max(1, *left/16)
	return min(16, (need+perPart-1)/perPart+1)
}

// registerManyQuery is registerManyStatement's text. $1 is the event, $2
// now, $3 when the links expire; the arrays follow, one element a request.
//
// The parts are locked as seatPick locks one: any that no other
// transaction holds, in random order, as many as $28 (enough for the
// batch's seats, from the seats left the event was read with), or else,
// for an event without a capacity, the first once its holder is done.
// Their seats free are read from the versions locked, which may be newer
// than the statement's snapshot; the requests that take a seat get them
// in arrival order, part after part. The rows go in in address order, so
// that two batches that both hold an address the other inserted first
// (the same people sending twice at once) cannot wait for each other.
const registerManyQuery = `
	WITH input AS (
		SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::boolean[], $10::boolean[],
			$11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[],
			$19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::bytea[], $26::text[], $27::text[])
			WITH ORDINALITY AS i (email, checkin_code, status, kind, seat, confirms, verifies,
				first_name, last_name, phone, country, organization, position, role, language,
				days, consent_at, delegation, latin_first_name, latin_last_name, answers, token_hash, payload, message_id, ord)
	), known AS (
		SELECT i.ord, r.status FROM input i
		JOIN registrations r ON r.event_id = $1::bigint AND lower(r.email) = lower(i.email)
	), pick AS (
		SELECT p.part, p.free FROM seat_parts p
		WHERE p.event_id = $1::bigint AND (p.free IS NULL OR p.free > 0)
		ORDER BY random() LIMIT $28::int FOR UPDATE SKIP LOCKED
	), waited AS (
		SELECT p.part, p.free FROM seat_parts p
		WHERE p.event_id = $1::bigint AND p.free IS NULL AND NOT EXISTS (SELECT FROM pick)
		ORDER BY p.part LIMIT 1 FOR UPDATE
	), parts AS (
		SELECT locked.part, locked.free, sum(locked.free) OVER (ORDER BY locked.part) AS upto
		FROM (SELECT * FROM pick UNION ALL SELECT * FROM waited) AS locked
	), fresh AS (
		SELECT i.*, sum(i.seat::int) OVER (ORDER BY i.ord) AS nth
		FROM input i WHERE NOT EXISTS (SELECT FROM known k WHERE k.ord = i.ord)
	), placed AS (
		SELECT f.*, CASE WHEN NOT f.seat THEN (SELECT min(p.part) FROM parts p)
			ELSE (SELECT p.part FROM parts p WHERE p.free IS NULL OR f.nth <= p.upto ORDER BY p.part LIMIT 1) END AS part
		FROM fresh f
	), taken AS (
		SELECT * FROM placed WHERE part IS NOT NULL
	), reg AS (
		INSERT INTO registrations (event_id, checkin_code, status, confirmed_at, email_verified_at,
			first_name, last_name, email, phone, country, organization, position, role, language, days,
			consent_at, created_at, updated_at, delegation, latin_first_name, latin_last_name, answers)
		SELECT $1::bigint, t.checkin_code, t.status,
			CASE WHEN t.confirms THEN t.consent_at::timestamptz END, CASE WHEN t.verifies THEN t.consent_at::timestamptz END,
			t.first_name, t.last_name, t.email, t.phone, t.country, t.organization, t.position, t.role, t.language, t.days::date[],
			t.consent_at::timestamptz, t.consent_at::timestamptz, $2::timestamptz, NULLIF(t.delegation, ''),
			t.latin_first_name, t.latin_last_name, t.answers::jsonb
		FROM taken t ORDER BY lower(t.email)
		ON CONFLICT (event_id, lower(email)) DO NOTHING
		RETURNING id, event_id, status, checkin_code, created_at, email, language, first_name || ' ' || last_name AS name
	), seat AS (
		UPDATE seat_parts SET held = held + took.n, free = free - took.n
		FROM (SELECT t.part, count(*)::int AS n FROM reg JOIN taken t ON t.checkin_code = reg.checkin_code
			WHERE t.seat GROUP BY t.part) AS took
		WHERE seat_parts.event_id = $1::bigint AND seat_parts.part = took.part
	), target AS (
		SELECT reg.id, reg.event_id, reg.email, reg.language, reg.name, t.kind, t.token_hash, t.payload, t.message_id
		FROM reg JOIN taken t ON t.checkin_code = reg.checkin_code WHERE t.kind <> ''
	), token AS (
		INSERT INTO registration_tokens (token_hash, registration_id, expires_at, created_at)
		SELECT target.token_hash, target.id, $3::timestamptz, $2::timestamptz FROM target
	), email AS (
		INSERT INTO emails (event_id, registration_id, kind, language, recipient, recipient_name, payload,
			message_id, created_at, next_attempt_at)
		SELECT target.event_id, target.id, target.kind, target.language, target.email, target.name,
			target.payload::jsonb, target.message_id, $2::timestamptz, $2::timestamptz
		FROM target
	)
	SELECT i.ord, EXISTS (SELECT FROM parts) AS seen, k.status AS known,
		EXISTS (SELECT FROM taken t WHERE t.ord = i.ord) AS taken,
		reg.id, reg.status, reg.checkin_code, reg.created_at
	FROM input i
	LEFT JOIN known k ON k.ord = i.ord
	LEFT JOIN reg ON reg.checkin_code = i.checkin_code
	ORDER BY i.ord`
