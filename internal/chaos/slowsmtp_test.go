//go:build linux

package chaos

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/smtptest"
)

// latencyProxy forwards TCP connections to target and holds every chunk the
// target sends back for delay: a slow but healthy SMTP relay, such as one
// that tarpits, which no timeout cuts off.
type latencyProxy struct {
	ln     net.Listener
	target string
	delay  time.Duration
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

func startLatencyProxy(t *testing.T, target string, delay time.Duration) *latencyProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &latencyProxy{ln: ln, target: target, delay: delay}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *latencyProxy) url() string { return "smtp://" + p.ln.Addr().String() + "?starttls=off" }

func (p *latencyProxy) serve() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { // client → server, as is
			defer p.wg.Done()
			_, _ = io.Copy(server, client)
			server.Close()
		}()
		go func() { // server → client, late
			defer p.wg.Done()
			defer client.Close()
			buf := make([]byte, 32<<10)
			for {
				n, err := server.Read(buf)
				if n > 0 {
					time.Sleep(p.delay)
					if _, werr := client.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
}

func (p *latencyProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func TestSlowSMTPRelayWithTwoWorkersSendsEachEmailOnce(t *testing.T) {
	parallel(t)
	var (
		delay = 100 * time.Millisecond // per SMTP reply: about half a second per message
		n     = size(20, 100)
		lease = 2 * time.Second
		batch = size(10, 20) // a batch takes 5 to 10 seconds, several leases
	)
	mail := smtptest.Start(t)
	proxy := startLatencyProxy(t, mail.Addr(), delay)
	dbURL := pgtest.NewURL(t)
	db := openDB(t, dbURL)
	e := baseEnv(dbURL, proxy.url()).with("MAIL_LEASE", lease.String(), "MAIL_BATCH_SIZE", fmt.Sprint(batch),
		"SMTP_TIMEOUT", "5s", "MAIL_POLL_INTERVAL", "100ms")
	token := organizerToken(t, e)
	servers := startInstances(t, 2, e)
	slug := createEvent(t, servers[0].url(), token, eventSpec{slug: "slow-relay"})
	t.Logf("injecting: every SMTP reply held back %s (no timeout fires), two workers, MAIL_LEASE=%s, "+
		"MAIL_BATCH_SIZE=%d: a batch takes several leases; %d registrations", delay, lease, batch, n)

	client := newClient(true, 10*time.Second)
	for i := range n {
		r := register(context.Background(), client, servers[i%2].url(), slug, fmt.Sprintf("slow-%04d@example.org", i))
		if r.err != nil || r.status != http.StatusAccepted {
			t.Fatalf("register: %d %v", r.status, r.err)
		}
	}
	start := time.Now()
	waitOutboxEmpty(t, db, size(90*time.Second, 240*time.Second))
	took := time.Since(start)
	rows := emailRows(t, db)
	ds := deliveredMail(t, mail)
	duplicates := deliveryCheck(t, rows, ds, onceEach)
	for _, s := range servers {
		s.signal(t, syscall.SIGTERM)
	}
	for _, s := range servers {
		if code, _ := s.wait(t, 60*time.Second); code != 0 {
			t.Errorf("%s exited with %d", s.name, code)
		}
	}
	attempts := count(t, db, `SELECT coalesce(sum(attempts), 0) FROM emails`)
	t.Logf("found: %d emails sent in %s, %d attempts, %d delivered, %d duplicates", len(rows),
		took.Round(time.Millisecond), attempts, len(ds), duplicates)
	recordFigures(t, "slow SMTP relay", fmt.Sprintf("%d emails, 2 workers, batches longer than the lease: %d delivered, %d duplicates",
		len(rows), len(ds), duplicates))
}
