package bench

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// floorRegistration is the registration request's body, as the floor
// server decodes it.
type floorRegistration struct {
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Email        string `json:"email"`
	Country      string `json:"country"`
	Organization string `json:"organization"`
	Position     string `json:"position"`
	Role         string `json:"role"`
	Language     string `json:"language"`
	Phone        string `json:"phone"`
	Consent      bool   `json:"consent"`
}

// httpFloor measures the least an HTTP service spends on a registration
// request on this machine: the same load generator and request bodies,
// driven by drive, against a net/http server that decodes the JSON body and
// answers 202 with a short JSON body, over loopback TCP with keep-alive,
// and nothing else. The server runs in this process, so the CPU that
// counts is the machine's, per request: the server's, the load
// generator's and the kernel's network stack.
func httpFloor(ctx context.Context, drive func(vegeta.Targeter) Summary) (Summary, cpuUse, error) {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return Summary{}, cpuUse{}, err
	}
	answer := []byte(`{"status":"pending","message":"Check your email to confirm your registration."}`)
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			var in floorRegistration
			if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, 64<<10)).Decode(&in); err != nil || in.Email == "" {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusAccepted)
			w.Write(answer)
		}),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var counter atomic.Int64
	target := registrationTargeter("http://"+ln.Addr().String(), "floor", "floor", &counter)
	before := cpuNow(0)
	s := drive(target)
	used := cpuNow(0).since(before)
	shutdown, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return s, used, err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return s, used, err
	}
	return s, used, nil
}
