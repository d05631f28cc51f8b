// Package qrcode encodes check-in codes as QR symbols, the one place that
// decides how attend's QR codes are made: the emailed ticket draws the
// symbol as a PNG (package notify) and the printed badge draws it as
// vector squares (package documents), and a scanner at the door must read
// both the same way.
package qrcode

import (
	"fmt"

	qr "github.com/piglig/go-qr"
)

// QuietZone is the white margin around a symbol, in modules: the four the
// QR standard asks for, so that a scanner finds the code's edge. Drawings
// must leave it free.
const QuietZone = 4

// Symbol is an encoded QR code: a square of Size×Size modules.
type Symbol struct{ code *qr.QrCode }

// Encode encodes text with at least medium error correction (the encoder
// raises it when the data fits the same size anyway), which survives a
// crease or a smudge on a printed badge.
func Encode(text string) (Symbol, error) {
	c, err := qr.EncodeText(text, qr.Medium)
	if err != nil {
		return Symbol{}, fmt.Errorf("qrcode: encode: %w", err)
	}
	return Symbol{code: c}, nil
}

// Size is the number of modules on a side, without the quiet zone.
func (s Symbol) Size() int { return s.code.Size() }

// Dark reports whether the module at column x, row y is dark. Modules
// outside the symbol (the quiet zone) are light.
func (s Symbol) Dark(x, y int) bool { return s.code.Module(x, y) }
