package web

import "github.com/labstack/echo/v4"

// csrfNotFromQuery removes a _csrf parameter from the address before the CSRF check, which reads
// "form:_csrf" through FormValue and so would also take it from the query string. A token in an
// address ends up in logs, history and Referer headers; it counts only in the body or the header.
func csrfNotFromQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if q := r.URL.Query(); q.Has("_csrf") {
			q.Del("_csrf")
			r.URL.RawQuery = q.Encode()
		}
		return next(c)
	}
}
