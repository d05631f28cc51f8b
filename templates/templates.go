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
//
// The web pages (html/template, parsed once at start-up through package
// httpcore, each front end its own):
//
//	web/layout.html.tmpl          page shell ("layout"): header, language switcher, footer
//	web/partials.html.tmpl        form fields ("field") and event facts ("event-facts")
//	web/<page>.html.tmpl          defines "content": the public pages of package web
//	                              (index, event, thanks, privacy, link: the personal page
//	                              behind emailed links) and message (errors, httpcore)
//	web/admin_partials.html.tmpl  the dashboard's own blocks ("admin-bar", "admin-notice")
//	web/admin_<page>.html.tmpl    the dashboard's pages (package admin): login, events,
//	                              event, checkin
//
// Their text is not in the files: every sentence is a message id translated
// through package i18n.
package templates

import "embed"

// FS is the tree of embedded templates described in the package comment.
//
//go:embed email web
var FS embed.FS
