package web

import (
	"regexp"
	"time"
	_ "time/tzdata" // zone rules inside the binary: air-gapped servers may have no zoneinfo

	"github.com/labstack/echo/v4"
)

// zoneName is an IANA zone name as browsers report it, e.g. Asia/Kolkata.
var zoneName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$`)

// viewerZone is the zone the page's date filters are read in: the browser's (the tz field its
// script fills in), else UTC. Rows show times in the same zone, so a filtered day is the day the
// reviewer sees.
func viewerZone(c echo.Context) (*time.Location, string) {
	return zoneNamed(c.QueryParam("tz"))
}

// zoneNamed is the zone a browser named, else UTC (with "" for its name).
func zoneNamed(name string) (*time.Location, string) {
	if name == "" || len(name) > 64 || !zoneName.MatchString(name) {
		return time.UTC, ""
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC, ""
	}
	return loc, name
}
