//go:build linux

package chaos

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/smtptest"
)

// rawExchange writes head and then body on a fresh connection while
// reading the answer, as a client that keeps sending after the server has
// answered would, and returns the answer's status (0 if none came).
func rawExchange(addr, head string, body io.Reader) (int, time.Duration, error) {
	start := time.Now()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		return 0, 0, err
	}
	go func() {
		if _, err := io.WriteString(conn, head); err != nil {
			return
		}
		if body != nil {
			_, _ = io.Copy(conn, body) // the server stops reading: the write fails
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, time.Since(start), err
	}
	resp.Body.Close()
	return resp.StatusCode, time.Since(start), nil
}

// jsonPrefix is an endless JSON text: a string value that never ends, so
// that a decoder must keep reading until the body limit stops it.
type jsonPrefix struct{ sent int }

func (j *jsonPrefix) Read(p []byte) (int, error) {
	const start = `{"first_name":"`
	n := 0
	for n < len(p) {
		if j.sent < len(start) {
			p[n] = start[j.sent]
		} else {
			p[n] = 'a'
		}
		n++
		j.sent++
	}
	return n, nil
}

// chunked encodes r in HTTP/1.1 chunks of 32 KB, ending after limit bytes.
func chunked(r io.Reader, limit int64) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		buf := make([]byte, 32<<10)
		src := io.LimitReader(r, limit)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				if _, werr := fmt.Fprintf(pw, "%x\r\n%s\r\n", n, buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				_, _ = io.WriteString(pw, "0\r\n\r\n")
				pw.Close()
				return
			}
		}
	}()
	return pr
}

func TestSlowAndOversizedClientsAreCutOff(t *testing.T) {
	parallel(t)
	var (
		headerTimeout = time.Second
		slow          = 500
		bigBodies     = size(10, 30)
	)
	const tenMB = 10 << 20
	mail := smtptest.Start(t)
	dbURL := pgtest.NewURL(t)
	e := baseEnv(dbURL, mail.URL()).with("HTTP_READ_HEADER_TIMEOUT", headerTimeout.String())
	token := organizerToken(t, e)
	// Memory is measured on the binary as shipped, without the race detector.
	srv := awaitServer(t, startProcOf(t, plainBinary(t), "serve", e, "serve"))
	slug := createEvent(t, srv.url(), token, eventSpec{slug: "slow-clients"})
	client := newClient(true, 10*time.Second)
	regPath := "/api/v1/events/" + slug + "/registrations"

	t.Run("10 MB bodies get 413 and the server's memory stays put", func(t *testing.T) {
		send := func(i int) (int, time.Duration) {
			head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: chaos\r\nContent-Type: application/json\r\n", regPath)
			var body io.Reader
			if i%2 == 0 {
				head += fmt.Sprintf("Content-Length: %d\r\n\r\n", tenMB)
				body = io.LimitReader(&jsonPrefix{}, tenMB)
			} else {
				head += "Transfer-Encoding: chunked\r\n\r\n"
				body = chunked(&jsonPrefix{}, tenMB)
			}
			status, took, err := rawExchange(srv.addr, head, body)
			if err != nil {
				t.Fatalf("10 MB body #%d: no answer: %v", i, err)
			}
			return status, took
		}
		// Warm up the paths once, then measure.
		if r := register(context.Background(), client, srv.url(), slug, "warm-up@example.org"); r.status != http.StatusAccepted {
			t.Fatalf("warm-up registration: %d %v", r.status, r.err)
		}
		send(0)
		send(1)
		before, err := vmRSS(srv.pid())
		if err != nil {
			t.Fatal(err)
		}
		var slowest time.Duration
		for i := range bigBodies {
			status, took := send(i)
			slowest = max(slowest, took)
			if status != http.StatusRequestEntityTooLarge {
				t.Errorf("10 MB body #%d: status %d, want 413", i, status)
			}
		}
		after, err := vmRSS(srv.pid())
		if err != nil {
			t.Fatal(err)
		}
		growth := after - before
		t.Logf("injected: %d POSTs of 10 MB (half with Content-Length, half chunked); found: all 413, slowest %s, "+
			"VmRSS %.1f MB → %.1f MB (%+.1f MB)", bigBodies, slowest.Round(time.Millisecond), mb(before), mb(after), mb(growth))
		// A server that buffered the bodies would grow by at least one of them.
		if growth > 5<<20 {
			t.Errorf("VmRSS grew by %.1f MB over %d oversized requests, want at most 5 MB", mb(growth), bigBodies)
		}
		recordFigures(t, "oversized bodies", fmt.Sprintf("%d × 10 MB → 413, VmRSS %+.1f MB", bigBodies, mb(growth)))
	})

	t.Run("oversized headers get 431", func(t *testing.T) {
		head := "GET /healthz HTTP/1.1\r\nHost: chaos\r\nX-Big: " + strings.Repeat("b", 64<<10) + "\r\n\r\n"
		status, _, err := rawExchange(srv.addr, head, nil)
		if err != nil || status != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("64 KB of headers: status %d (%v), want 431", status, err)
		}
		t.Logf("injected: 64 KB header (HTTP_MAX_HEADER_BYTES default 16 KB); found: %d", status)
	})

	t.Run("500 connections trickling headers are closed within the header timeout", func(t *testing.T) {
		before, _ := vmRSS(srv.pid())
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			closed  []time.Duration
			answers tally
		)
		stop := make(chan struct{})
		// Normal traffic goes on meanwhile.
		var normal []reply
		normalDone := make(chan struct{})
		go func() {
			defer close(normalDone)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(50 * time.Millisecond):
				}
				r := register(context.Background(), client, srv.url(), slug, fmt.Sprintf("normal-%05d@example.org", i))
				normal = append(normal, r)
			}
		}()
		for i := range slow {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start := time.Now()
				conn, err := net.DialTimeout("tcp", srv.addr, 5*time.Second)
				if err != nil {
					answers.add("dial error")
					return
				}
				defer conn.Close()
				_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
				go func() { // one byte every 100ms, never finishing the headers
					if _, err := fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: chaos\r\nX-Trickle-%d: ", i); err != nil {
						return
					}
					for {
						time.Sleep(100 * time.Millisecond)
						if _, err := conn.Write([]byte("z")); err != nil {
							return
						}
					}
				}()
				b, err := io.ReadAll(conn)
				took := time.Since(start)
				switch {
				case err != nil && isTimeout(err):
					answers.add("still open after 10s")
				case len(b) > 0:
					answers.add("closed with an answer " + strings.SplitN(string(b), "\r\n", 2)[0])
				default:
					answers.add("closed")
				}
				mu.Lock()
				closed = append(closed, took)
				mu.Unlock()
			}()
		}
		wg.Wait()
		close(stop)
		<-normalDone
		after, _ := vmRSS(srv.pid())
		sort.Slice(closed, func(i, j int) bool { return closed[i] < closed[j] })
		worst := closed[len(closed)-1]
		if limit := headerTimeout + time.Second; worst > limit {
			t.Errorf("a trickling connection stayed open %s, want at most %s (HTTP_READ_HEADER_TIMEOUT + 1s)", worst, limit)
		}
		if answers.get("closed")+answers.get("closed with an answer HTTP/1.1 408 Request Timeout") != slow {
			t.Errorf("trickling connections: %s", answers.String())
		}
		var normalWorst time.Duration
		for _, r := range normal {
			normalWorst = max(normalWorst, r.took)
			if r.err != nil || r.status != http.StatusAccepted {
				t.Errorf("a normal registration during the attack: %d %v", r.status, r.err)
			}
		}
		// Starved requests would wait for the client's 10s timeout; a busy
		// test machine alone can make one take a second or two.
		if normalWorst > 3*time.Second {
			t.Errorf("a normal registration took %s during the attack", normalWorst)
		}
		t.Logf("injected: %d connections sending one header byte every 100ms (HTTP_READ_HEADER_TIMEOUT=%s); "+
			"found: %s, closed after %s (median) to %s (worst); %d normal registrations meanwhile, all 202, slowest %s; "+
			"VmRSS %.1f → %.1f MB", slow, headerTimeout, answers.String(), closed[len(closed)/2].Round(time.Millisecond),
			worst.Round(time.Millisecond), len(normal), normalWorst.Round(time.Millisecond), mb(before), mb(after))
		recordFigures(t, "slow headers", fmt.Sprintf("%d trickling connections closed within %s; %d normal requests all 202",
			slow, worst.Round(time.Millisecond), len(normal)))
	})

	srv.signal(t, syscall.SIGTERM)
	if code, _ := srv.wait(t, 30*time.Second); code != 0 {
		t.Errorf("serve exited with %d", code)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }
