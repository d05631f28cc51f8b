// Package templates holds the files attend renders for people, embedded in
// the binary so that a deployment is one file and a missing template is a
// start-up error rather than a failed send.
//
// Layout of the email templates (all paths relative to FS):
//
//	email/layout.html.tmpl             shared HTML shell with inline CSS ("layout")
//	email/<lang>/partials.html.tmpl    localized HTML blocks: details, check-in, footer
//	email/<lang>/partials.txt.tmpl     the same blocks for the plain-text part, plus
//	                                   the description put into calendar (.ics) files
//	email/<lang>/<kind>.subject.tmpl   one-line subject (text/template)
//	email/<lang>/<kind>.txt.tmpl       plain-text body (text/template)
//	email/<lang>/<kind>.html.tmpl      defines "content" for the layout (html/template)
//
// where <lang> is en, ru or uz and <kind> is one of the notification kinds
// that package notify lists. The notify package checks at start-up that every
// one of these files exists.
package templates

import "embed"

// FS is the tree of embedded templates described in the package comment.
//
//go:embed email
var FS embed.FS
