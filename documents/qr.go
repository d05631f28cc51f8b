package documents

import (
	"github.com/attend/attend/internal/qrcode"
)

// drawQR draws code as a QR symbol side millimetres square, quiet zone
// included, with its top left corner at (x, y): vector squares, black on
// the white paper, so it prints sharp at any size. Each row's runs of
// dark modules are drawn as one rectangle; rows overlap by a hair so that
// no viewer shows seams between them.
func (p *page) drawQR(x, y, side float64, code string) error {
	sym, err := qrcode.Encode(code)
	if err != nil {
		return err
	}
	n := sym.Size()
	m := side / float64(n+2*qrcode.QuietZone)
	x0, y0 := x+qrcode.QuietZone*m, y+qrcode.QuietZone*m
	p.fill(rgb{0, 0, 0})
	for row := range n {
		for col := 0; col < n; {
			if !sym.Dark(col, row) {
				col++
				continue
			}
			start := col
			for col < n && sym.Dark(col, row) {
				col++
			}
			p.Rect(x0+float64(start)*m, y0+float64(row)*m, float64(col-start)*m, m+0.02, "F")
		}
	}
	return nil
}
