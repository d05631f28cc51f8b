// Package static holds the files the public pages load besides themselves:
// one small stylesheet, embedded so that a deployment is one binary.
package static

import "embed"

// FS holds style.css.
//
//go:embed style.css
var FS embed.FS
