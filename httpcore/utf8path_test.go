package httpcore

import "testing"

func TestTheFieldHoldingBytesThatAreNotUTF8IsNamed(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"valid text", `{"a": "é"}`, ""},
		{"a top-level member", "{\"first_name\": \"Bo\xffb\", \"x\": 1}", "first_name"},
		{"a nested member after others", "{\"n\": 1, \"texts\": {\"en\": {\"body\": \"ok\", \"subject\": \"\xfe\"}}}", "texts.en.subject"},
		{"an array element", "{\"filter\": {\"answers\": [\"a:b\", {\"x\": [1]}, \"c\xff\"]}}", "filter.answers[2]"},
		{"a member's name", "{\"ok\": {\"k\xff\": 1}}", "ok"},
		{"a top-level member's name", "{\"k\xff\": 1}", "body"},
		{"outside any string", "{\"a\": 1\xff}", "body"},
		{"a string at the top", "\"\xff\"", "body"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := invalidUTF8Field([]byte(c.body)); got != c.want {
				t.Errorf("invalidUTF8Field(%q) = %q, want %q", c.body, got, c.want)
			}
		})
	}
}
