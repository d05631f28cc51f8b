// Package static holds the files the pages load besides themselves,
// embedded so that a deployment is one binary: one small stylesheet, and
// the door page's script with the QR reader it falls back on
// (vendor/jsqr, under its own licence).
package static

import "embed"

// FS holds style.css, door.js and vendor/jsqr.
//
//go:embed style.css door.js vendor/jsqr/jsQR.js vendor/jsqr/LICENSE
var FS embed.FS
