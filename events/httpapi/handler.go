package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/kvlambda/kvlambda/events/commands"
	"github.com/kvlambda/kvlambda/kvstore"
)

// The request limits: larger requests are refused before anything runs.
const (
	// MaxBodyBytes is the largest request body (413 beyond it).
	MaxBodyBytes = 1 << 20
	// MaxCommands is the most commands one /pipeline or /multi-exec request may hold
	// (400 beyond it).
	MaxCommands = 1000
)

// Config configures a Handler.
type Config struct {
	// Backend is the store commands run on.
	Backend kvstore.Backend
	// Token is the full-access bearer token; it must not be empty.
	Token string
	// ReadOnlyToken, when not empty, is a second token that may run reads only.
	ReadOnlyToken string
	// Logger receives one line per request; nil discards them.
	Logger *slog.Logger
}

// Handler serves the data API. It is safe for concurrent use.
type Handler struct {
	exec   *commands.Executor
	tokens tokens
	log    *slog.Logger
}

// New returns a Handler, or an error when the configuration is unusable.
func New(cfg Config) (*Handler, error) {
	if cfg.Backend == nil {
		return nil, errors.New("httpapi: no backend")
	}
	if cfg.Token == "" {
		return nil, errors.New("httpapi: empty token")
	}
	if cfg.ReadOnlyToken == cfg.Token {
		return nil, errors.New("httpapi: the read-only token equals the full token")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{
		exec:   commands.NewExecutor(cfg.Backend),
		tokens: newTokens(cfg.Token, cfg.ReadOnlyToken),
		log:    log,
	}, nil
}

// WithLogger returns a Handler like h (same backend and tokens) that logs its
// request lines to l; nil discards them.
func (h *Handler) WithLogger(l *slog.Logger) *Handler {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	c := *h
	c.log = l
	return &c
}

// Request is one HTTP request, whatever carried it.
type Request struct {
	Method string
	Path   string
	// Authorization is the Authorization header.
	Authorization string
	// Encoding is the Upstash-Encoding header ("base64" or empty).
	Encoding string
	// Body is the request body (already decoded when the transport base64-encoded it).
	Body []byte
	// BodyTooLarge is set by a transport that stopped reading past MaxBodyBytes.
	BodyTooLarge bool
	// RequestID identifies the request in the log.
	RequestID string

	// acc is what Authorization allows, when checked is set (by ServeHTTP, which
	// needs it before reading the body), so that the token is checked once.
	acc     access
	checked bool
}

// Response is the HTTP response to send: a status and a JSON body.
type Response struct {
	Status int
	Body   []byte
}

// ContentType is the type of every response body.
const ContentType = "application/json"

// requestLog gathers what the request's log line says.
type requestLog struct {
	names    []string
	count    int
	errMsg   string
	internal error
}

func (l *requestLog) commands(cmds []commands.Command) {
	l.count = len(cmds)
	for i, c := range cmds {
		if i == 20 {
			break
		}
		l.names = append(l.names, c.Name)
	}
}

func (l *requestLog) reply(r commands.Reply) {
	if e, ok := r.(*commands.Error); ok {
		if l.errMsg == "" {
			l.errMsg = e.Msg
		}
		if e.Internal && l.internal == nil {
			l.internal = errors.Unwrap(e)
			if l.internal == nil {
				l.internal = e
			}
		}
	}
}

// Serve answers one request and logs one line about it.
func (h *Handler) Serve(ctx context.Context, req Request) Response {
	start := time.Now()
	var rl requestLog
	resp := h.serveSafely(ctx, req, &rl)
	attrs := []slog.Attr{
		slog.String("request_id", req.RequestID),
		slog.String("method", req.Method),
		slog.String("path", req.Path),
		slog.Int("status", resp.Status),
		slog.Float64("latency_ms", float64(time.Since(start).Microseconds())/1000),
	}
	if rl.count > 0 {
		attrs = append(attrs, slog.Any("commands", rl.names), slog.Int("command_count", rl.count))
	}
	if rl.errMsg != "" {
		attrs = append(attrs, slog.String("error", rl.errMsg))
	}
	level := slog.LevelInfo
	if rl.internal != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("internal_error", rl.internal.Error()))
	}
	h.log.LogAttrs(ctx, level, "request", attrs...)
	return resp
}

// serveSafely is serve turning a panic (a bug) into "ERR internal error": the
// details go to the log, never to the client.
func (h *Handler) serveSafely(ctx context.Context, req Request, rl *requestLog) (resp Response) {
	defer func() {
		if p := recover(); p != nil {
			rl.internal = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			rl.errMsg = "ERR internal error"
			resp = errorResponse(http.StatusInternalServerError, "ERR internal error")
		}
	}()
	return h.serve(ctx, req, rl)
}

func errorResponse(status int, msg string) Response {
	return Response{Status: status, Body: appendReply(nil, &commands.Error{Msg: msg}, false)}
}

func (h *Handler) serve(ctx context.Context, req Request, rl *requestLog) Response {
	acc := req.acc
	if !req.checked {
		acc = h.tokens.check(req.Authorization)
	}
	if acc == accessNone {
		rl.errMsg = "Unauthorized"
		return Response{Status: http.StatusUnauthorized, Body: []byte(`{"error":"Unauthorized"}`)}
	}
	path := req.Path
	if len(path) > 1 {
		path = strings.TrimSuffix(path, "/")
	}
	if path != "/" && path != "" && path != "/pipeline" && path != "/multi-exec" {
		rl.errMsg = "unknown path"
		return errorResponse(http.StatusNotFound, "ERR unknown path: use POST /, /pipeline or /multi-exec")
	}
	if req.Method != http.MethodPost {
		rl.errMsg = "method not allowed"
		return errorResponse(http.StatusMethodNotAllowed, "ERR method not allowed: use POST")
	}
	if req.BodyTooLarge || len(req.Body) > MaxBodyBytes {
		rl.errMsg = "body too large"
		return errorResponse(http.StatusRequestEntityTooLarge, fmt.Sprintf("ERR request body larger than %d bytes", MaxBodyBytes))
	}
	b64 := strings.EqualFold(strings.TrimSpace(req.Encoding), "base64")
	switch path {
	case "/pipeline":
		return h.pipeline(ctx, req.Body, acc, b64, rl)
	case "/multi-exec":
		return h.multiExec(ctx, req.Body, acc, b64, rl)
	}
	return h.single(ctx, req.Body, acc, b64, rl)
}

func noPerm(c commands.Command) string {
	return fmt.Sprintf("NOPERM this token has no permissions to run the '%s' command", strings.ToLower(c.Name))
}

// statusOf is the HTTP status of a single command's reply.
func statusOf(r commands.Reply) int {
	if e, ok := r.(*commands.Error); ok {
		if e.Internal {
			return http.StatusInternalServerError
		}
		return http.StatusBadRequest
	}
	return http.StatusOK
}

func (h *Handler) single(ctx context.Context, body []byte, acc access, b64 bool, rl *requestLog) Response {
	cmd, e := commands.DecodeJSON(body)
	if e != nil {
		rl.reply(e)
		return Response{Status: http.StatusBadRequest, Body: appendReply(nil, e, false)}
	}
	rl.commands([]commands.Command{cmd})
	if acc != accessFull && cmd.IsWrite() {
		rl.errMsg = "NOPERM"
		return errorResponse(http.StatusForbidden, noPerm(cmd))
	}
	r := h.exec.Exec(ctx, cmd)
	rl.reply(r)
	return Response{Status: statusOf(r), Body: appendReply(nil, r, b64)}
}

// decodeList parses a /pipeline or /multi-exec body: a JSON array of commands. It
// returns the commands and, per command, its parse error (nil when it parsed).
func decodeList(body []byte, rl *requestLog) ([]commands.Command, []*commands.Error, *Response) {
	var raw []json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		r := errorResponse(http.StatusBadRequest, `ERR request body must be a JSON array of commands: [["SET","k","v"],["GET","k"]]`)
		rl.errMsg = "malformed body"
		return nil, nil, &r
	}
	if len(raw) == 0 {
		r := errorResponse(http.StatusBadRequest, "ERR empty request: send at least one command")
		rl.errMsg = "empty request"
		return nil, nil, &r
	}
	if len(raw) > MaxCommands {
		r := errorResponse(http.StatusBadRequest, fmt.Sprintf("ERR too many commands: %d in one request, at most %d", len(raw), MaxCommands))
		rl.errMsg = "too many commands"
		rl.count = len(raw)
		return nil, nil, &r
	}
	cmds := make([]commands.Command, len(raw))
	errs := make([]*commands.Error, len(raw))
	for i, r := range raw {
		cmds[i], errs[i] = commands.DecodeJSON(r)
		if errs[i] != nil && cmds[i].Name == "" {
			cmds[i].Name = "?"
		}
	}
	rl.commands(cmds)
	return cmds, errs, nil
}

func (h *Handler) pipeline(ctx context.Context, body []byte, acc access, b64 bool, rl *requestLog) Response {
	cmds, errs, bad := decodeList(body, rl)
	if bad != nil {
		return *bad
	}
	var valid []commands.Command
	var at []int
	for i, c := range cmds {
		if errs[i] != nil {
			continue
		}
		if acc != accessFull && c.IsWrite() {
			rl.errMsg = "NOPERM"
			return errorResponse(http.StatusForbidden, noPerm(c))
		}
		valid = append(valid, c)
		at = append(at, i)
	}
	replies := make([]commands.Reply, len(cmds))
	for i, e := range errs {
		if e != nil {
			replies[i] = e
		}
	}
	for j, r := range h.exec.ExecPipeline(ctx, valid) {
		replies[at[j]] = r
	}
	return Response{Status: http.StatusOK, Body: appendList(replies, b64, rl)}
}

func appendList(replies []commands.Reply, b64 bool, rl *requestLog) []byte {
	b := make([]byte, 0, 64*len(replies))
	b = append(b, '[')
	for i, r := range replies {
		if i > 0 {
			b = append(b, ',')
		}
		rl.reply(r)
		b = appendReply(b, r, b64)
	}
	return append(b, ']')
}

func (h *Handler) multiExec(ctx context.Context, body []byte, acc access, b64 bool, rl *requestLog) Response {
	cmds, errs, bad := decodeList(body, rl)
	if bad != nil {
		return *bad
	}
	for i, e := range errs {
		if e != nil {
			rl.reply(e)
			return errorResponse(http.StatusBadRequest, fmt.Sprintf("EXECABORT Transaction discarded because of: command %d: %s", i+1, e.Msg))
		}
	}
	for _, c := range cmds {
		if acc != accessFull && c.IsWrite() {
			rl.errMsg = "NOPERM"
			return errorResponse(http.StatusForbidden, noPerm(c))
		}
	}
	res, e := h.exec.ExecAtomic(ctx, cmds, nil)
	if e != nil {
		rl.reply(e)
		return Response{Status: statusOf(e), Body: appendReply(nil, e, false)}
	}
	return Response{Status: http.StatusOK, Body: appendList(res.Replies, b64, rl)}
}
