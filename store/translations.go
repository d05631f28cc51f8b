package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"

	"github.com/attend/attend/domain"
)

// translationsValue is an event's translations as the jsonb column holds
// them.
type translationsValue domain.EventTranslations

// Value is JSON text: a string, because in lib/pq's binary_parameters mode
// []byte goes out in binary format, which jsonb would misread.
func (t translationsValue) Value() (driver.Value, error) {
	if t == nil {
		return "{}", nil
	}
	b, err := json.Marshal(t)
	return string(b), err
}

func (t *translationsValue) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	case nil:
		*t = translationsValue{}
		return nil
	default:
		return fmt.Errorf("store: cannot scan %T into translations", src)
	}
	return json.Unmarshal(b, (*domain.EventTranslations)(t))
}

// detailValue is an audit entry's detail as the jsonb column holds it.
type detailValue domain.AuditDetail

func (d detailValue) Value() (driver.Value, error) {
	b, err := json.Marshal(domain.AuditDetail(d))
	return string(b), err
}
