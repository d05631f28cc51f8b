package domain_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/attend/attend/domain"
)

func TestDateJSONRoundTrip(t *testing.T) {
	type doc struct {
		Day  domain.Date   `json:"day"`
		Days []domain.Date `json:"days"`
	}
	in := doc{
		Day:  domain.NewDate(2019, time.May, 30),
		Days: []domain.Date{domain.NewDate(2019, time.May, 31), domain.NewDate(2020, time.February, 29)},
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	if want := `{"day":"2019-05-30","days":["2019-05-31","2020-02-29"]}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	var out doc
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if !out.Day.Equal(in.Day) || len(out.Days) != 2 || !out.Days[0].Equal(in.Days[0]) || !out.Days[1].Equal(in.Days[1]) {
		t.Errorf("round trip gave %v %v, want %v %v", out.Day, out.Days, in.Day, in.Days)
	}
}

func TestDateRefusesMalformedJSON(t *testing.T) {
	for _, s := range []string{`"2019-5-30"`, `"30.05.2019"`, `"2019-02-29"`, `"2019-05-30T00:00:00Z"`, `""`, `20190530`} {
		t.Run(s+" is refused", func(t *testing.T) {
			var d domain.Date
			if err := json.Unmarshal([]byte(s), &d); err == nil {
				t.Errorf("unmarshal %s gave %v, want an error", s, d)
			}
		})
	}
}

func TestDateKeepsTheCalendarDay(t *testing.T) {
	tashkent, err := time.LoadLocation("Asia/Tashkent")
	if err != nil {
		t.Fatal(err)
	}
	// 00:30 on 30 May in Tashkent is still 29 May in UTC.
	early := time.Date(2019, time.May, 30, 0, 30, 0, 0, tashkent)
	if got := domain.DateOf(early).String(); got != "2019-05-30" {
		t.Errorf("DateOf(%v) = %s, want 2019-05-30", early, got)
	}
	var scanned domain.Date
	if err := scanned.Scan(early); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	if scanned.String() != "2019-05-30" {
		t.Errorf("scanned %v as %s, want 2019-05-30", early, scanned)
	}
	if err := scanned.Scan([]byte("2019-05-31")); err != nil || scanned.String() != "2019-05-31" {
		t.Errorf("Scan([]byte) = %s, %v; want 2019-05-31", scanned, err)
	}
	if err := scanned.Scan(42); err == nil {
		t.Error("Scan(42) succeeded, want an error")
	}
	d := domain.NewDate(2019, time.May, 30)
	if got := d.In(tashkent); !got.Equal(time.Date(2019, time.May, 29, 19, 0, 0, 0, time.UTC)) {
		t.Errorf("midnight of %s in Tashkent = %v", d, got.UTC())
	}
	if !d.AddDays(2).Equal(domain.NewDate(2019, time.June, 1)) || !d.Before(d.AddDays(1)) || !d.AddDays(1).After(d) {
		t.Error("date arithmetic across the month end is wrong")
	}
}
