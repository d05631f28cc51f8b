// Package servertest builds attend's whole HTTP server on a fresh test
// database, for the tests of the packages that serve it (the JSON API, the
// public pages, the dashboard, their shared core and the assembler), and
// holds what those tests share: requests and their answers, problem
// details, HTML queries, a dashboard with a signed-in organizer, and a
// headless Chromium.
//
// Those tests are external test packages (package api_test and so on): an
// internal test package could not import this one, which imports the
// package under test.
package servertest
