package admin_test

import (
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/attend/attend/internal/servertest"
)

// landmark is a landmark of a page as assistive technology lists them: its
// ARIA role and accessible name.
type landmark struct{ role, name string }

// sectioning elements stop a header or footer from being the page's banner
// or content information.
var sectioning = map[string]bool{"article": true, "aside": true, "main": true, "nav": true, "section": true}

// landmarkRoles are the roles that make a landmark when given explicitly.
var landmarkRoles = map[string]bool{"banner": true, "complementary": true, "contentinfo": true, "form": true,
	"main": true, "navigation": true, "region": true, "search": true}

// landmarks lists a page's landmarks, with the implicit roles of HTML
// elements (HTML-AAM): a section or form is a landmark only with a name.
func landmarks(dc *servertest.Doc) []landmark {
	byID := map[string]*html.Node{}
	dc.Walk(func(n *html.Node) bool {
		if id := servertest.Attr(n, "id"); id != "" {
			byID[id] = n
		}
		return false
	})
	name := func(n *html.Node) string {
		if ids := strings.Fields(servertest.Attr(n, "aria-labelledby")); len(ids) > 0 {
			var parts []string
			for _, id := range ids {
				if ref, ok := byID[id]; ok {
					parts = append(parts, servertest.TextOf(ref))
				}
			}
			return strings.Join(parts, " ")
		}
		return strings.TrimSpace(servertest.Attr(n, "aria-label"))
	}
	var out []landmark
	var visit func(n *html.Node, inSection bool)
	visit = func(n *html.Node, inSection bool) {
		if n.Type == html.ElementNode {
			role := servertest.Attr(n, "role")
			if role == "" {
				switch n.Data {
				case "header":
					if !inSection {
						role = "banner"
					}
				case "footer":
					if !inSection {
						role = "contentinfo"
					}
				case "nav":
					role = "navigation"
				case "main":
					role = "main"
				case "aside":
					role = "complementary"
				case "section":
					if name(n) != "" {
						role = "region"
					}
				case "form":
					if name(n) != "" {
						role = "form"
					}
				}
			}
			if landmarkRoles[role] {
				out = append(out, landmark{role: role, name: name(n)})
			}
			inSection = inSection || sectioning[n.Data]
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c, inSection)
		}
	}
	visit(dc.Root, false)
	return out
}

// Two landmarks of one role and one name cannot be told apart in a screen
// reader's list of landmarks (axe: landmark-unique). The event page labelled
// both the Registrations section and its table's scrolling frame by the
// section's heading, and the failed emails likewise.
func TestDashboardLandmarksAreUnique(t *testing.T) {
	t.Parallel()
	d, cookie, ev := rolesWorkshop(t)
	kadri := d.Enrol(ev, servertest.Attendee{First: "Kadri", Last: "Tamm", Email: "kadri@example.ee", Country: "EE", Confirmed: true, Notify: true})
	if _, err := d.DB.Exec(`UPDATE emails SET status = 'failed', last_error = '550 mailbox unavailable'
		WHERE registration_id = $1`, kadri.ID); err != nil {
		t.Fatal(err)
	}
	pages := []struct{ name, path, cookie, mustHave string }{
		{"the sign-in page", "/admin/login", "", ""},
		{"the events", "/admin", cookie, ""},
		{"an event with registrations and failed emails", "/admin/events/" + ev.Slug, cookie, "emails-table"},
		{"an event in Russian", "/admin/events/" + ev.Slug + "?lang=ru", cookie, "registrations-table"},
		{"a filtered list", "/admin/events/" + ev.Slug + "?country=UZ&status=confirmed", cookie, "registrations-table"},
		{"the door with a search", "/admin/events/" + ev.Slug + "/checkin?day=2019-05-30&q=a", cookie, "people"},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			_, page := d.Open(p.path, p.cookie)
			if p.mustHave != "" && !page.Has(p.mustHave) {
				t.Fatalf("%s has no #%s to check", p.path, p.mustHave)
			}
			seen := map[landmark]int{}
			all := landmarks(page)
			for _, l := range all {
				seen[l]++
			}
			for l, n := range seen {
				if n > 1 {
					t.Errorf("%d landmarks are %s %q; all: %q", n, l.role, l.name, all)
				}
			}
			if len(all) < 4 {
				t.Errorf("only %d landmarks found: %q", len(all), all)
			}
		})
	}
}
