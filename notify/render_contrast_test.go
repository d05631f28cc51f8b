package notify

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// rgb is a colour from an inline style, each channel 0–255.
type rgb struct{ r, g, b float64 }

// parseColor reads #rgb and #rrggbb, the only forms the templates use; any
// other value (a name, rgb()) fails the test so that it is looked at.
func parseColor(t *testing.T, v string) rgb {
	t.Helper()
	v = strings.ToLower(strings.TrimSpace(v))
	if len(v) == 4 && v[0] == '#' {
		v = "#" + strings.Repeat(v[1:2], 2) + strings.Repeat(v[2:3], 2) + strings.Repeat(v[3:4], 2)
	}
	if len(v) != 7 || v[0] != '#' {
		t.Fatalf("colour %q is not #rrggbb; teach the test to read it", v)
	}
	n, err := strconv.ParseUint(v[1:], 16, 32)
	if err != nil {
		t.Fatalf("colour %q: %v", v, err)
	}
	return rgb{float64(n >> 16 & 0xff), float64(n >> 8 & 0xff), float64(n & 0xff)}
}

// contrast is the WCAG 2 contrast ratio of two colours, from 1 (the same)
// to 21 (black on white).
func contrast(a, b rgb) float64 {
	lum := func(c rgb) float64 {
		ch := func(v float64) float64 {
			v /= 255
			if v <= 0.03928 {
				return v / 12.92
			}
			return math.Pow((v+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(c.r) + 0.7152*ch(c.g) + 0.0722*ch(c.b)
	}
	la, lb := lum(a), lum(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

// styleOf reads an element's inline style into property → value.
func styleOf(n *html.Node) map[string]string {
	out := map[string]string{}
	for _, a := range n.Attr {
		if a.Key != "style" {
			continue
		}
		for decl := range strings.SplitSeq(a.Val, ";") {
			k, v, ok := strings.Cut(decl, ":")
			if ok {
				out[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
			}
		}
	}
	return out
}

// lowContrastText walks the HTML part and returns every text whose colour
// is too close to the background it is drawn on, the way spam filters look
// at it (SpamAssassin's HTML_FONT_LOW_CONTRAST): hidden text counts too.
// Text colour is inherited; the background is the nearest one set on the
// element or an ancestor. Unstyled text is black on white.
func lowContrastText(t *testing.T, doc *html.Node) []string {
	t.Helper()
	var bad []string
	var walk func(n *html.Node, fg, bg rgb)
	walk = func(n *html.Node, fg, bg rgb) {
		if n.Type == html.ElementNode {
			if n.Data == "head" {
				return
			}
			st := styleOf(n)
			if v, ok := st["color"]; ok {
				fg = parseColor(t, v)
			}
			for _, p := range []string{"background-color", "background"} {
				if v, ok := st[p]; ok {
					bg = parseColor(t, v)
				}
			}
			for _, a := range n.Attr {
				if a.Key == "bgcolor" {
					bg = parseColor(t, a.Val)
				}
			}
		}
		if n.Type == html.TextNode && strings.TrimSpace(n.Data) != "" {
			// 3:1 is WCAG's floor for large text; body text here is far above it.
			if c := contrast(fg, bg); c < 3 {
				bad = append(bad, strconv.FormatFloat(c, 'f', 2, 64)+":1 "+strconv.Quote(strings.TrimSpace(n.Data)))
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, fg, bg)
		}
	}
	walk(doc, rgb{0, 0, 0}, rgb{255, 255, 255})
	return bad
}

// preheaderOf finds the hidden preview text: the first element of the body.
func preheaderOf(doc *html.Node) *html.Node {
	var body *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "body" {
			body = n
		}
		for ch := n.FirstChild; ch != nil && body == nil; ch = ch.NextSibling {
			find(ch)
		}
	}
	find(doc)
	if body == nil {
		return nil
	}
	for ch := body.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.ElementNode {
			return ch
		}
	}
	return nil
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

// The preview text is hidden from the reader without drawing it in the
// background's colour, which spam filters score as hidden text.
func TestEmailHTMLHasNoLowContrastTextAndHidesThePreheaderProperly(t *testing.T) {
	r := newTestRenderer(t)
	d := tashkentWorkshop()
	hiding := map[string]string{
		"display": "none", "max-height": "0", "overflow": "hidden", "mso-hide": "all", "opacity": "0",
	}
	for _, lang := range Languages() {
		for _, kind := range Kinds() {
			t.Run(lang+"/"+string(kind), func(t *testing.T) {
				out, err := r.Render(kind, lang, d)
				if err != nil {
					t.Fatalf("Render: %v", err)
				}
				doc, err := html.Parse(strings.NewReader(out.HTML))
				if err != nil {
					t.Fatalf("the HTML part does not parse: %v", err)
				}
				for _, b := range lowContrastText(t, doc) {
					t.Errorf("text too close to its background: %s", b)
				}
				pre := preheaderOf(doc)
				if pre == nil || textOf(pre) == "" {
					t.Fatal("no preheader: the body's first element should hold the preview text")
				}
				st := styleOf(pre)
				for prop, want := range hiding {
					if got := st[prop]; got != want {
						t.Errorf("preheader %s = %q, want %q", prop, got, want)
					}
				}
				if c, ok := st["color"]; ok {
					t.Errorf("preheader sets color %s; hidden text must not be coloured to vanish", c)
				}
			})
		}
	}
}
