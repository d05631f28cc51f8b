package httpcore

import (
	"encoding/json"
	"net/http"
)

// problemJSON renders a body as application/problem+json; gin's JSON render
// would overwrite the content type.
type problemJSON struct{ body any }

func (p problemJSON) Render(w http.ResponseWriter) error {
	p.WriteContentType(w)
	return json.NewEncoder(w).Encode(p.body)
}

func (p problemJSON) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/problem+json")
}
