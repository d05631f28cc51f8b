package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/attend/attend/internal/servertest"
)

// A JSON body's strings that hold bytes that are not UTF-8 would be stored
// with U+FFFD in their place: the request is refused, naming the field.
func TestBodiesWithBytesThatAreNotUTF8AreRefusedNamingTheField(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", nil)
	participant := servertest.JSONText(t, servertest.Participant("dilnoza@example.uz", nil))
	message := `{"texts": {"en": {"subject": "Slides", "body": "The slides"}}, "filter": {"answers": []}, "send": true}`
	cases := []struct {
		name, path, token, body, field, table string
	}{
		{"a registration's email", "/api/v1/events/egov/registrations", "",
			strings.Replace(participant, `"email":"dilnoza@`, `"email":"dil`+"\xff"+`noza@`, 1), "email", "registrations"},
		{"a message's subject", "/api/v1/events/egov/messages", a.Token,
			strings.Replace(message, "Slides", "Sli\xfe\xfedes", 1), "texts.en.subject", "messages"},
		{"a message's answer filter", "/api/v1/events/egov/messages", a.Token,
			strings.Replace(message, `"answers": []`, `"answers": ["diet:`+"\xc3"+`"]`, 1), "filter.answers[0]", "messages"},
		{"a webhook's address", "/api/v1/webhooks", a.Token,
			"{\"url\": \"https://crm.example.org/\xff\", \"event\": \"egov\"}", "url", "webhook_endpoints"},
	}
	for _, c := range cases {
		t.Run(c.name+" is a 422 naming "+c.field, func(t *testing.T) {
			p := servertest.Problem(t, a.Post(c.path, c.token, c.body), http.StatusUnprocessableEntity)
			if servertest.FieldCodes(p)[c.field] != "utf8" {
				t.Errorf("errors %+v, want %s/utf8", p.Errors, c.field)
			}
			if n := servertest.CountRows(t, a, `SELECT count(*) FROM `+c.table); n != 0 {
				t.Errorf("%d rows stored in %s", n, c.table)
			}
		})
	}
}
