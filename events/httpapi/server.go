package httpapi

import (
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
)

// The response header values, shared by every response (net/http only reads them).
var (
	contentTypeValue = []string{ContentType}
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
	req.acc, req.checked = h.tokens.check(req.Authorization), true
	// Read the body only for requests that may use it; one byte past the limit is
	// enough to refuse it.
	if req.acc != accessNone && r.Method == http.MethodPost {
		body, err := readBody(http.MaxBytesReader(w, r.Body, MaxBodyBytes), r.ContentLength)
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			req.BodyTooLarge = true
		case err != nil:
			// The client went away or timed out mid-body.
			resp := errorResponse(http.StatusBadRequest, "ERR could not read the request body")
			w.Header()["Content-Type"] = contentTypeValue
			w.WriteHeader(resp.Status)
			_, _ = w.Write(resp.Body)
			return
		}
		req.Body = body
	}
	resp := h.Serve(r.Context(), req)
	hdr := w.Header()
	hdr["Content-Type"] = contentTypeValue
	hdr["X-Request-Id"] = []string{req.RequestID}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

// readBody reads r to its end like io.ReadAll, in one buffer sized from the request's
// Content-Length when it is known (and within MaxBodyBytes), so that a small body
// costs one allocation.
func readBody(r io.Reader, contentLength int64) ([]byte, error) {
	size := 512
	if contentLength >= 0 && contentLength < MaxBodyBytes {
		size = int(contentLength) + 1 // room to read the EOF without growing
	}
	b := make([]byte, 0, size)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// newRequestID returns 16 random hex digits. The IDs only tell log lines apart, so
// they come from math/rand/v2's per-thread generator, without a system call.
func newRequestID() string {
	var b [8]byte
	u := rand.Uint64()
	for i := range b {
		b[i] = byte(u >> (8 * i))
	}
	return hex.EncodeToString(b[:])
}
