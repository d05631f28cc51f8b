package notify

import (
	"testing"

	"github.com/attend/attend/templates"
)

// BenchmarkRendererRender renders each kind of email (subject, text, HTML,
// and for tickets the QR image and the calendar file), as the mail worker
// does once per email. Run with `make bench-go`.
func BenchmarkRendererRender(b *testing.B) {
	r, err := NewRenderer(templates.FS)
	if err != nil {
		b.Fatal(err)
	}
	d := sampleData()
	d.Event.Languages = []string{"en", "ru", "uz"}
	for _, kind := range Kinds() {
		b.Run(string(kind), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Render(kind, "ru", d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
