package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
)

// ServeHTTP serves the data API over net/http: the same protocol as Serve.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := Request{
		Method:        r.Method,
		Path:          r.URL.Path,
		Authorization: r.Header.Get("Authorization"),
		Encoding:      r.Header.Get("Upstash-Encoding"),
		RequestID:     r.Header.Get("X-Request-Id"),
	}
	if req.RequestID == "" {
		req.RequestID = newRequestID()
	}
	// Read the body only for requests that may use it; one byte past the limit is
	// enough to refuse it.
	if h.tokens.check(req.Authorization) != accessNone && r.Method == http.MethodPost {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			req.BodyTooLarge = true
		case err != nil:
			// The client went away or timed out mid-body.
			resp := errorResponse(http.StatusBadRequest, "ERR could not read the request body")
			w.Header().Set("Content-Type", ContentType)
			w.WriteHeader(resp.Status)
			_, _ = w.Write(resp.Body)
			return
		}
		req.Body = body
	}
	resp := h.Serve(r.Context(), req)
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("X-Request-Id", req.RequestID)
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
