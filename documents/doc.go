// Package documents draws the papers a workshop runs on, as files an
// organizer downloads and prints:
//
//   - SignInSheet: a day's sign-in sheet (PDF, A4 portrait), one row per
//     person expected that day, "Page n of m";
//   - Badges: name badges with the check-in QR code (PDF, A4 sheets of
//     eight 90 × 55 mm badges with cut marks);
//   - Certificate and Certificates: certificates of attendance (one-page
//     PDFs in each holder's language; many in one ZIP archive), only for
//     those who meet the event's rule (domain.CertificateRule);
//   - AttendanceReport and AttendanceReportXLSX: the attendance report for
//     the donor, by delegation and by role, per day, with totals and a
//     chart (PDF, A4 landscape; and an Excel workbook).
//
// People come in as an iter.Seq2 of store.Participant, as
// store.Participants streams them from the database: each document reads
// them one at a time and keeps none once drawn, so its memory is the
// document's own however many people there are (papers_bench_test.go
// measures it). Fixed texts are the i18n messages "doc.*" in English,
// Russian or Uzbek; country names come from i18n's CLDR names. PDFs are
// drawn with go-pdf/fpdf in DejaVu Sans, embedded (fonts/, with its
// licence), which has Cyrillic, Latin with diacritics and the Uzbek ʻ.
//
// The package does no I/O of its own beyond writing to the io.Writer it is
// given, and knows nothing of HTTP: the handlers that serve the documents
// choose the people (store.ParticipantFilter), the language and the
// certificate settings, and map its errors (domain validation errors,
// ErrNoCertificate) as they do any other.
package documents
