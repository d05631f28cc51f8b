// Package web is attend's public pages, for participants: the upcoming
// events, an event's page with its registration form, the thanks page, the
// privacy notice, and the personal page behind the links in emails
// (confirm, cancel, download one's data). Pages work without JavaScript,
// in English, Russian and Uzbek. The form runs the same rules and the same
// store call as the JSON API (package api); the layout, rendering,
// language choice and error pages are shared with the dashboard (package
// admin) through httpcore. Package server declares the routes.
package web

import "github.com/attend/attend/httpcore"

// pageNames are the public pages' templates, templates/web/<name>.html.tmpl.
var pageNames = []string{"index", "event", "thanks", "privacy", "link", "edit", "invitation", "nominations", "unsubscribe"}

// Web holds the public pages' dependencies: the shared core and the page
// templates.
type Web struct {
	*httpcore.Core
	pages *httpcore.Pages
}

// New builds the public pages over core. It fails only for a broken page
// template, which the tests catch before a release.
func New(core *httpcore.Core) (*Web, error) {
	pages, err := core.ParsePages(pageNames)
	if err != nil {
		return nil, err
	}
	return &Web{Core: core, pages: pages}, nil
}
