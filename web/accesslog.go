package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kycdesk/kycdesk/store"
)

// requestLogKey is where the per-request log record lives in the request context.
const requestLogKey ctxKey = 100

// requestLog is what one access-log line says beyond the request line. Handlers add to it (the
// webhooks set the source, delivery and outcome); it never holds a body, query, cookie or secret.
type requestLog struct {
	id       string
	source   store.Source
	delivery int64
	outcome  string
}

// requestLogOf is the record of the request being served, or a throwaway one outside the middleware.
func requestLogOf(c echo.Context) *requestLog {
	if l, ok := c.Request().Context().Value(requestLogKey).(*requestLog); ok {
		return l
	}
	return &requestLog{}
}

// requestID is the id of the request being served, as sent in X-Request-Id.
func requestID(c echo.Context) string { return requestLogOf(c).id }

// accessLog writes one line per request: request id (also sent as X-Request-Id), method, the
// route pattern (never the raw path or query, which can carry names and references), status,
// bytes, duration and the signed-in user's id. An X-Request-Id from the client or proxy is kept
// when it is a short token, so one id follows a request through the proxy's logs and ours.
func (a *App) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		rl := &requestLog{id: inboundRequestID(c.Request().Header.Get(echo.HeaderXRequestID))}
		if rl.id == "" {
			rl.id = newRequestID()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, rl.id)
		c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), requestLogKey, rl)))
		err := next(c)
		if err != nil {
			c.Error(err) // writes the error page now, so the line has the status actually sent
		}
		route := c.Path()
		if route == "" {
			route = "(unmatched)"
		}
		attrs := []slog.Attr{
			slog.String("request_id", rl.id),
			slog.String("method", c.Request().Method),
			slog.String("route", route),
			slog.Int("status", c.Response().Status),
			slog.Int64("bytes", c.Response().Size),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		}
		if u := currentUser(c); u != nil {
			attrs = append(attrs, slog.Int64("user_id", u.ID))
		}
		if rl.source != "" {
			attrs = append(attrs, slog.String("source", string(rl.source)))
			if rl.delivery != 0 {
				attrs = append(attrs, slog.Int64("delivery_id", rl.delivery))
			}
			attrs = append(attrs, slog.String("outcome", rl.outcome))
		}
		a.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request", attrs...)
		return nil
	}
}

// inboundRequestID accepts a client's request id only when it is 1–64 characters of
// [A-Za-z0-9._-], so it cannot carry anything else into the logs.
func inboundRequestID(s string) string {
	if len(s) == 0 || len(s) > 64 {
		return ""
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return ""
		}
	}
	return s
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
