package templates

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestEveryLanguageHasTheSameEmailFiles catches a file added, renamed or
// misspelt in one language only; the notify package checks the full list.
func TestEveryLanguageHasTheSameEmailFiles(t *testing.T) {
	langs, err := fs.ReadDir(FS, "email")
	if err != nil {
		t.Fatal(err)
	}
	files := make(map[string][]string)
	for _, l := range langs {
		if !l.IsDir() {
			continue
		}
		entries, err := fs.ReadDir(FS, "email/"+l.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			files[l.Name()] = append(files[l.Name()], e.Name())
		}
	}
	en, ok := files["en"]
	if !ok || len(files) < 3 {
		t.Fatalf("want en, ru and uz, got %v", files)
	}
	for lang, names := range files {
		if !slices.Equal(names, en) {
			t.Errorf("%s has %v, en has %v", lang, names, en)
		}
	}
}

func TestEmailTemplatesAreUTF8WithoutCarriageReturns(t *testing.T) {
	err := fs.WalkDir(FS, "email", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(FS, p)
		if err != nil {
			return err
		}
		if !utf8.Valid(b) || strings.Contains(string(b), "\r") {
			t.Errorf("%s: want UTF-8 with LF line endings", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
