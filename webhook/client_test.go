package webhook_test

import (
	"testing"
	"time"

	"github.com/attend/attend/webhook"
)

// The published Standard Webhooks example: a receiver's library must
// accept what attend signs, so the signature must match it byte for byte.
func TestSignReproducesTheStandardWebhooksExample(t *testing.T) {
	got, err := webhook.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
}

func TestSignRefusesAMalformedSecret(t *testing.T) {
	if _, err := webhook.Sign("whsec_not base64!", "msg", time.Unix(1, 0), nil); err == nil {
		t.Error("a secret that is not base64 signed")
	}
}
