package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"iter"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// visaLettersJSON is an event's visa letter settings in the events table:
// JSON, or NULL for an event that offers none.
type visaLettersJSON struct{ v *domain.VisaLetters }

// Value is the settings as JSON text (a string: see EmailPayload.Value).
func (j visaLettersJSON) Value() (driver.Value, error) {
	if j.v == nil {
		return nil, nil
	}
	b, err := json.Marshal(j.v)
	return string(b), err
}

func (j *visaLettersJSON) Scan(src any) error {
	b, err := jsonBytes(src)
	if err != nil {
		return fmt.Errorf("store: scan visa letters: %w", err)
	}
	j.v = nil
	if b == nil {
		return nil
	}
	j.v = &domain.VisaLetters{}
	if err := json.Unmarshal(b, j.v); err != nil {
		return fmt.Errorf("store: scan visa letters: %w", err)
	}
	return nil
}

// visaColumns are registration_visa's columns as domain.VisaDetails reads
// them.
const visaColumns = `v.passport_name, v.passport_number, v.nationality,
	to_char(v.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, to_char(v.passport_expiry, 'YYYY-MM-DD') AS passport_expiry`

type visaRow struct {
	RegistrationID string `db:"registration_id"`
	PassportName   string `db:"passport_name"`
	PassportNumber string `db:"passport_number"`
	Nationality    string `db:"nationality"`
	DateOfBirth    string `db:"date_of_birth"`
	PassportExpiry string `db:"passport_expiry"`
}

func (r visaRow) details() (*domain.VisaDetails, error) {
	dob, err := domain.ParseDate(r.DateOfBirth)
	if err != nil {
		return nil, fmt.Errorf("store: visa date of birth: %w", err)
	}
	exp, err := domain.ParseDate(r.PassportExpiry)
	if err != nil {
		return nil, fmt.Errorf("store: visa passport expiry: %w", err)
	}
	return &domain.VisaDetails{PassportName: r.PassportName, PassportNumber: r.PassportNumber,
		Nationality: r.Nationality, DateOfBirth: dob, PassportExpiry: exp}, nil
}

// saveVisa stores (or replaces) the passport details of a registration in
// tx; a registration that starts afresh without them loses the old ones.
func saveVisa(ctx context.Context, tx *dbTx, regID string, v *domain.VisaDetails) error {
	if v == nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM registration_visa WHERE registration_id = $1`, regID); err != nil {
			return fmt.Errorf("store: delete visa details: %w", unavailable(err))
		}
		return nil
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO registration_visa (registration_id, passport_name, passport_number, nationality,
			date_of_birth, passport_expiry, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (registration_id) DO UPDATE SET passport_name = EXCLUDED.passport_name,
			passport_number = EXCLUDED.passport_number, nationality = EXCLUDED.nationality,
			date_of_birth = EXCLUDED.date_of_birth, passport_expiry = EXCLUDED.passport_expiry,
			created_at = EXCLUDED.created_at`,
		regID, v.PassportName, v.PassportNumber, v.Nationality, v.DateOfBirth.String(), v.PassportExpiry.String(), tx.now)
	if err != nil {
		return fmt.Errorf("store: save visa details: %w", unavailable(err))
	}
	return nil
}

// eraseVisa deletes a registration's passport details (erasure, retention).
func eraseVisa(ctx context.Context, tx *dbTx, regID string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM registration_visa WHERE registration_id = $1`, regID); err != nil {
		return fmt.Errorf("store: erase visa details: %w", unavailable(err))
	}
	return nil
}

// VisaOf is the passport details of one registration, or nil when it
// asked for no letter.
func (s *Store) VisaOf(ctx context.Context, regID string) (*domain.VisaDetails, error) {
	var row visaRow
	err := s.db.GetContext(ctx, &row, `SELECT v.registration_id, `+visaColumns+`
		FROM registration_visa v WHERE v.registration_id = $1`, regID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: visa details: %w", unavailable(err))
	}
	return row.details()
}

// VisasOf is the passport details of the registrations among ids that
// asked for a letter, by registration id (for the dashboard's list).
func (s *Store) VisasOf(ctx context.Context, ids []string) (map[string]*domain.VisaDetails, error) {
	out := map[string]*domain.VisaDetails{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []visaRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT v.registration_id, `+visaColumns+`
		FROM registration_visa v WHERE v.registration_id = ANY($1::uuid[])`, pq.StringArray(ids)); err != nil {
		return nil, fmt.Errorf("store: visa details: %w", unavailable(err))
	}
	for _, r := range rows {
		d, err := r.details()
		if err != nil {
			return nil, err
		}
		out[r.RegistrationID] = d
	}
	return out, nil
}

// VisaLetterHolder is a registration entitled to a visa letter, with its
// passport details.
type VisaLetterHolder struct {
	Registration *domain.Registration
	Visa         *domain.VisaDetails
}

// VisaLetterHolders yields, one at a time in registration order, the
// event's confirmed registrations that asked for a letter: those a letter
// may be written for (a confirmed registration of an event that requires
// approval was approved). Nothing is held in memory beyond one row.
func (s *Store) VisaLetterHolders(ctx context.Context, eventID int64) iter.Seq2[VisaLetterHolder, error] {
	return func(yield func(VisaLetterHolder, error) bool) {
		rows, err := s.db.QueryxContext(ctx, `
			SELECT `+registrationColumns+`, `+visaColumns+`
			FROM registrations r JOIN registration_visa v ON v.registration_id = r.id
			WHERE r.event_id = $1 AND r.status = $2 ORDER BY r.created_at, r.id`, eventID, domain.StatusConfirmed)
		if err != nil {
			yield(VisaLetterHolder{}, fmt.Errorf("store: visa letter holders: %w", unavailable(err)))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var row struct {
				registrationRow
				visaRow
			}
			if err := rows.StructScan(&row); err != nil {
				yield(VisaLetterHolder{}, fmt.Errorf("store: visa letter holders: %w", unavailable(err)))
				return
			}
			d, err := row.visaRow.details()
			if err != nil || !yield(VisaLetterHolder{Registration: row.registration(), Visa: d}, err) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(VisaLetterHolder{}, fmt.Errorf("store: visa letter holders: %w", unavailable(err)))
		}
	}
}

// VisaLetterHolder is registration regID of the event with its passport
// details (nil when it asked for no letter), whatever its status: the
// letter's own rule (documents.VisaLetter) decides.
func (s *Store) VisaLetterHolder(ctx context.Context, eventID int64, regID string) (VisaLetterHolder, error) {
	if !domain.ValidUUID(regID) {
		return VisaLetterHolder{}, domain.Errorf(domain.ENotFound, "no such registration")
	}
	reg, err := registrationByID(ctx, s.db, regID, false)
	if err != nil {
		return VisaLetterHolder{}, err
	}
	if reg.EventID != eventID {
		return VisaLetterHolder{}, domain.Errorf(domain.ENotFound, "no such registration")
	}
	visa, err := s.VisaOf(ctx, regID)
	return VisaLetterHolder{Registration: reg, Visa: visa}, err
}
