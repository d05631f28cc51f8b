package admin_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/attend/attend/internal/qrcode"
	"github.com/attend/attend/internal/servertest"
)

// writeQRVideo writes a short Y4M video (grey, 4:2:0) of the QR code of
// text, for Chromium's fake camera, which plays it in a loop.
func writeQRVideo(t *testing.T, path, text string) {
	t.Helper()
	sym, err := qrcode.Encode(text)
	if err != nil {
		t.Fatal(err)
	}
	const side = 480
	modules := sym.Size() + 2*qrcode.QuietZone
	scale := side / modules
	offset := (side - modules*scale) / 2
	luma := make([]byte, side*side)
	for y := range side {
		for x := range side {
			mx, my := (x-offset)/scale-qrcode.QuietZone, (y-offset)/scale-qrcode.QuietZone
			dark := x >= offset && y >= offset && mx >= 0 && my >= 0 && mx < sym.Size() && my < sym.Size() && sym.Dark(mx, my)
			if !dark {
				luma[y*side+x] = 235
			} else {
				luma[y*side+x] = 16
			}
		}
	}
	chroma := make([]byte, side*side/4)
	for i := range chroma {
		chroma[i] = 128
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", side, side)
	for range 5 {
		w.WriteString("FRAME\n")
		w.Write(luma)
		w.Write(chroma)
		w.Write(chroma)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// setOffline cuts the page's network, or gives it back: requests fail and
// navigator.onLine follows, as on a phone that loses its signal.
func setOffline(offline bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		conditions := []*network.Conditions{}
		if offline {
			conditions = append(conditions, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
		}
		if _, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule,
			network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: conditions}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.OverrideNetworkState,
			network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	})
}

// TestBrowserScansAndQueuesOfflineAtTheDoor: in Chromium with a fake
// camera showing Kadri's check-in QR code, the door page reads it and
// checks her in; then, with the network cut, a typed check-in waits in the
// browser, the page says so, and it is stored once the network is back.
func TestBrowserScansAndQueuesOfflineAtTheDoor(t *testing.T) {
	d := servertest.NewDashboard(t)
	kadri := d.Enrol(d.Ev, servertest.Attendee{First: "Kadri", Last: "Tamm", Email: "kadri@example.ee", Country: "EE", Confirmed: true})
	nino := d.Enrol(d.Ev, servertest.Attendee{First: "Nino", Last: "Beridze", Email: "nino@example.ge", Country: "GE", Confirmed: true})
	video := filepath.Join(t.TempDir(), "badge.y4m")
	writeQRVideo(t, video, kadri.CheckinCode)

	srv := httptest.NewServer(d.Srv)
	t.Cleanup(srv.Close)
	bctx := servertest.Browser(t,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", video))
	checkedIn := func(id string) int {
		t.Helper()
		var n int
		if err := d.DB.Get(&n, `SELECT count(*) FROM checkins WHERE registration_id = $1 AND day = '2019-05-30'`, id); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Log("sign in, open the door page and scan")
	if err := chromedp.Do(bctx,
		chromedp.Navigate(srv.URL+"/admin/events/"+d.Ev.Slug+"/checkin"),
		chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "lead@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#password`), servertest.DashPassword),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#scan`)),
		chromedp.Click(chromedp.CSS(`#scan`)),
		chromedp.WaitVisible(chromedp.CSS(`#result .door-name`)),
	); err != nil {
		t.Fatalf("scan: %v", err)
	}
	if got := servertest.ElementText(t, bctx, "#result .door-name"); got != "Kadri Tamm" {
		t.Errorf("scanned %q, want Kadri Tamm", got)
	}
	if n := checkedIn(kadri.ID); n != 1 {
		t.Fatalf("%d check-ins of Kadri stored after the scan, want 1", n)
	}

	t.Log("offline: the check-in waits in the browser")
	if err := chromedp.Do(bctx,
		setOffline(true),
		chromedp.SendKeys(chromedp.CSS(`#code`), nino.CheckinCode),
		chromedp.Click(chromedp.CSS(`#code-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#door-queue`)),
	); err != nil {
		t.Fatalf("offline check-in: %v", err)
	}
	if got := servertest.ElementText(t, bctx, "#door-queue"); got != "1 waiting to be sent" {
		t.Errorf("queue says %q", got)
	}
	if n := checkedIn(nino.ID); n != 0 {
		t.Errorf("Nino stored while offline: %d", n)
	}
	if got := servertest.Eval(t, bctx, `localStorage.getItem("attend.door.queue:/admin/events/`+d.Ev.Slug+`/checkin")`); !strings.Contains(got, nino.CheckinCode) {
		t.Errorf("the queue in localStorage holds %s", got)
	}

	t.Log("online again: the queue is sent")
	if err := chromedp.Do(bctx,
		setOffline(false),
		chromedp.WaitNotVisible(chromedp.CSS(`#door-queue`)),
	); err != nil {
		t.Fatalf("back online: %v", err)
	}
	if n := checkedIn(nino.ID); n != 1 {
		t.Errorf("%d check-ins of Nino stored once online, want 1", n)
	}
	if got := servertest.ElementText(t, bctx, "#result .door-name"); got != "Nino Beridze" {
		t.Errorf("result shows %q, want Nino Beridze", got)
	}
	if n := checkedIn(kadri.ID); n != 1 {
		t.Errorf("Kadri has %d check-ins, want 1", n)
	}
}
