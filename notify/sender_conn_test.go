package notify

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingConn records each write that reaches the network.
type countingConn struct {
	net.Conn
	writes [][]byte
	closed bool
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

func (c *countingConn) Read(p []byte) (int, error) { return copy(p, "250 OK\r\n"), nil }

func (c *countingConn) Close() error { c.closed = true; return nil }

func TestTheConnectionSendsWhatWasWrittenInOneGoBeforeReadingTheReply(t *testing.T) {
	raw := &countingConn{}
	c := &trackedConn{Conn: raw}
	for _, piece := range []string{"MAIL FROM:<a@example.org>\r\n", strings.Repeat("x", 4096), "\r\n.\r\n"} {
		if _, err := c.Write([]byte(piece)); err != nil {
			t.Fatal(err)
		}
	}
	if len(raw.writes) != 0 {
		t.Fatalf("%d writes reached the network before the client waited for a reply", len(raw.writes))
	}
	if _, err := c.Read(make([]byte, 64)); err != nil {
		t.Fatal(err)
	}
	want := "MAIL FROM:<a@example.org>\r\n" + strings.Repeat("x", 4096) + "\r\n.\r\n"
	if len(raw.writes) != 1 || string(raw.writes[0]) != want {
		t.Fatalf("network writes = %d, want the three pieces as one, in order", len(raw.writes))
	}
	// Nothing is sent twice.
	if _, err := c.Read(make([]byte, 64)); err != nil || len(raw.writes) != 1 {
		t.Fatalf("a second read wrote again: %d writes, %v", len(raw.writes), err)
	}
}

func TestTheConnectionDoesNotHoldBackMoreThanItsLimit(t *testing.T) {
	raw := &countingConn{}
	c := &trackedConn{Conn: raw}
	piece := bytes.Repeat([]byte("y"), flushAt/2+1)
	for range 3 {
		if _, err := c.Write(piece); err != nil {
			t.Fatal(err)
		}
	}
	if len(raw.writes) != 2 {
		t.Fatalf("network writes = %d, want 2 (each time the next piece would pass %d bytes)", len(raw.writes), flushAt)
	}
	if _, err := c.Write(bytes.Repeat([]byte("z"), flushAt+1)); err != nil {
		t.Fatal(err)
	}
	if len(raw.writes) != 4 || len(raw.writes[3]) != flushAt+1 {
		t.Fatalf("a piece larger than the limit should follow what was held back at once: %d writes", len(raw.writes))
	}
}

func TestClosingTheConnectionSendsWhatWasHeldBack(t *testing.T) {
	raw := &countingConn{}
	c := &trackedConn{Conn: raw}
	if _, err := c.Write([]byte("QUIT\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if len(raw.writes) != 1 || string(raw.writes[0]) != "QUIT\r\n" || !raw.closed {
		t.Fatalf("writes %q, closed %v", raw.writes, raw.closed)
	}
	if !errors.Is(c.failure(), net.ErrClosed) {
		t.Fatalf("failure = %v, want the connection marked closed", c.failure())
	}
}

// failingConn refuses every write.
type failingConn struct{ countingConn }

var errReset = errors.New("connection reset by peer")

func (c *failingConn) Write([]byte) (int, error) { return 0, errReset }

func TestAWriteThatFailsWhenSentIsSeenByTheRead(t *testing.T) {
	c := &trackedConn{Conn: &failingConn{}}
	if _, err := c.Write([]byte("RCPT TO:<b@example.org>\r\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(make([]byte, 64)); !errors.Is(err, errReset) {
		t.Fatalf("read = %v, want the write's error", err)
	}
	if !errors.Is(c.failure(), errReset) {
		t.Fatalf("failure = %v, want the connection lost", c.failure())
	}
}

// scriptedServer is a minimal SMTP server that accepts everything and
// records the commands of each session.
func scriptedServer(t *testing.T) (addr string, commands func() []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var (
		mu   sync.Mutex
		seen []string
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		reply := func(s string) { io.WriteString(c, s+"\r\n") }
		reply("220 scripted ESMTP")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			verb := strings.ToUpper(strings.Fields(line + " x")[0])
			mu.Lock()
			seen = append(seen, verb)
			mu.Unlock()
			switch verb {
			case "EHLO":
				reply("250-scripted\r\n250 8BITMIME")
			case "DATA":
				reply("354 go ahead")
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if l == ".\r\n" {
						break
					}
				}
				reply("250 queued")
			case "QUIT":
				reply("221 bye")
				return
			case "RCPT":
				if strings.Contains(line, "refused") {
					reply("550 no such user")
				} else {
					reply("250 OK")
				}
			default:
				reply("250 OK")
			}
		}
	}()
	return ln.Addr().String(), func() []string {
		<-done
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

func TestSendBatchStartsEachMessageWithoutAResetInBetween(t *testing.T) {
	tests := []struct {
		name string
		to   []string
		want []string
		// failed says which emails the server refuses.
		failed []bool
	}{
		{"two accepted", []string{"a@example.org", "b@example.org"},
			[]string{"EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA", "QUIT"}, []bool{false, false}},
		// go-mail resets after a refused recipient; one RSET is enough.
		{"one refused, then one accepted", []string{"refused@example.org", "b@example.org"},
			[]string{"EHLO", "MAIL", "RCPT", "RSET", "MAIL", "RCPT", "DATA", "QUIT"}, []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sendScripted(t, tt.to, tt.failed, tt.want)
		})
	}
}

// sendScripted sends one plain email to each address in one batch to a
// scripted server and checks which failed and the commands it got.
func sendScripted(t *testing.T, to []string, failed []bool, want []string) {
	t.Helper()
	addr, commands := scriptedServer(t)
	host, port, _ := net.SplitHostPort(addr)
	cfg, err := ParseSMTPURL("smtp://" + net.JoinHostPort(host, port) + "?starttls=off")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSender(cfg, SenderOptions{From: "attend <noreply@attend.example.org>", HELOName: "attend.test",
		DialTimeout: time.Second, CommandTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	emails := make([]Email, len(to))
	for i, addr := range to {
		emails[i] = plainEmail(addr)
	}
	for i, err := range s.SendBatch(context.Background(), emails) {
		if (err != nil) != failed[i] {
			t.Fatalf("email %d: err = %v, want failed %v", i, err, failed[i])
		}
	}
	if got := commands(); !slices.Equal(got, want) {
		t.Fatalf("commands %v, want %v: the end of DATA ends a transaction, and a refused one needs one RSET", got, want)
	}
}

func TestDroppingTheConnectionSendsNothingMore(t *testing.T) {
	raw := &countingConn{}
	c := &trackedConn{Conn: raw}
	if _, err := c.Write([]byte("MAIL FROM:<a@example.org>\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := c.drop(); err != nil {
		t.Fatal(err)
	}
	if len(raw.writes) != 0 || !raw.closed || !errors.Is(c.failure(), net.ErrClosed) {
		t.Fatalf("writes %q, closed %v, failure %v", raw.writes, raw.closed, c.failure())
	}
}
