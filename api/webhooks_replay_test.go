package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/attend/attend/internal/servertest"
)

// replayWebhooks answers every webhook operation with a success and with
// client errors, for TestTheServerAnswersAsOpenAPIYamlDescribes; the event
// egov must exist.
func replayWebhooks(rp *replay, a *servertest.Server, tok string) {
	rp.t.Helper()
	created := rp.call(a, 201, sendReq(http.MethodPost, "/api/v1/webhooks", tok, map[string]any{
		"url": "https://crm.example.org/hooks/attend", "event": "egov",
		"event_types": []string{"registration.confirmed", "checkin.created"}}))
	var w struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(created.Body.Bytes(), &w); err != nil || w.ID == 0 {
		rp.t.Fatalf("created webhook: %v %s", err, created.Body)
	}
	one := fmt.Sprintf("/api/v1/webhooks/%d", w.ID)
	rp.call(a, 422, sendReq(http.MethodPost, "/api/v1/webhooks", tok, map[string]any{"url": "http://127.0.0.1/hook"}))
	rp.call(a, 422, sendReq(http.MethodPost, "/api/v1/webhooks", tok, map[string]any{"url": "https://crm.example.org/", "event": "nope"}))
	rp.call(a, 422, sendReq(http.MethodPost, "/api/v1/webhooks", tok, `{"url": 5, "event_types": ["registration.eaten"]}`))
	rp.call(a, 400, sendReq(http.MethodPost, "/api/v1/webhooks", tok, `{"url": `))
	rp.call(a, 401, sendReq(http.MethodPost, "/api/v1/webhooks", "", map[string]any{"url": "https://crm.example.org/"}))
	rp.call(a, 200, getReq("/api/v1/webhooks", tok))
	rp.call(a, 401, getReq("/api/v1/webhooks", ""))
	rp.call(a, 200, getReq(one, tok))
	rp.call(a, 404, getReq("/api/v1/webhooks/999999", tok))
	rp.call(a, 422, getReq("/api/v1/webhooks/abc", tok))
	rp.call(a, 200, sendReq(http.MethodPatch, one, tok, map[string]any{"active": false, "include_personal_data": true}))
	rp.call(a, 422, sendReq(http.MethodPatch, one, tok, map[string]any{"event": "egov", "event_types": nil}))
	rp.call(a, 404, sendReq(http.MethodPatch, "/api/v1/webhooks/999999", tok, map[string]any{"active": true}))
	rp.call(a, 200, getReq(one+"/deliveries?status=failed&limit=10", tok))
	rp.call(a, 422, getReq(one+"/deliveries?status=lost&limit=0", tok))
	rp.call(a, 404, getReq("/api/v1/webhooks/999999/deliveries", tok))
	rp.call(a, 200, sendReq(http.MethodPost, one+"/secret", tok, nil))
	rp.call(a, 404, sendReq(http.MethodPost, "/api/v1/webhooks/999999/secret", tok, nil))
	rp.call(a, 204, sendReq(http.MethodDelete, one, tok, nil))
	rp.call(a, 404, sendReq(http.MethodDelete, one, tok, nil))
}
