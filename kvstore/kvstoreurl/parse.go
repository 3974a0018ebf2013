package kvstoreurl

import (
	"errors"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// spec is a parsed KVSTORE_URL.
type spec struct {
	scheme string
	u      *url.URL
	// params are the query parameters left once the wrappers' are taken out.
	params url.Values
	// cache is the read cache's bound, 0 for no cache.
	cache int
	// profile asks for a profiling wrapper.
	profile bool
}

// schemes lists the known schemes, for errors.
const schemes = "memory, redis, rediss, dynamodb, dax or daxs"

// parse parses and checks a URL, without building anything.
func parse(raw string) (*spec, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = "memory://"
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may hold a password
		}
		return nil, errorf("malformed URL: %v", err)
	}
	s := &spec{scheme: u.Scheme, u: u}
	switch s.scheme {
	case "memory", "redis", "rediss", "dynamodb", "dax", "daxs":
	case "":
		return nil, errorf("no scheme: want %s (e.g. memory:// or redis://localhost:6379)", schemes)
	default:
		return nil, errorf("unknown scheme %q: want %s", s.scheme, schemes)
	}
	if u.Opaque != "" {
		return nil, errorf("%s URL must start with %s://", s.scheme, s.scheme)
	}
	if u.Fragment != "" {
		return nil, errorf("%s URL must not have a #fragment", s.scheme)
	}
	if s.params, err = url.ParseQuery(u.RawQuery); err != nil {
		return nil, errorf("malformed query: %v", err)
	}
	for name, values := range s.params {
		if len(values) > 1 {
			return nil, errorf("parameter %q given %d times", name, len(values))
		}
	}
	if err := s.wrapperParams(); err != nil {
		return nil, err
	}
	if err := s.checkPort(); err != nil {
		return nil, err
	}
	switch s.scheme {
	case "memory":
		if u.Host != "" || u.User != nil || (u.Path != "" && u.Path != "/") {
			return nil, errorf("memory URL takes no host or path: write memory://")
		}
		return s, s.onlyParams()
	case "dynamodb":
		return s, s.checkDynamoDB()
	case "dax", "daxs":
		return s, s.checkDAX()
	}
	return s, nil // redis: go-redis checks the rest
}

// wrapperParams takes out the parameters that ask for wrappers.
func (s *spec) wrapperParams() error {
	if v, ok := s.param("cache"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return errorf("cache=%q: want a positive number of entries", v)
		}
		s.cache = n
	}
	if v, ok := s.param("profile"); ok {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return errorf("profile=%q: want 1 or 0", v)
		}
		s.profile = on
	}
	return nil
}

// param takes out one parameter.
func (s *spec) param(name string) (string, bool) {
	v, ok := s.params[name]
	if !ok {
		return "", false
	}
	delete(s.params, name)
	return v[0], true
}

// checkPort refuses a port that is not a number from 1 to 65535.
func (s *spec) checkPort() error {
	p := s.u.Port()
	if p == "" {
		return nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return errorf("bad port %q: want 1 to 65535", p)
	}
	return nil
}

// validTableName reports whether t is a DynamoDB table name: 3 to 255 letters,
// digits, '_', '-' or '.'. (A loop, not a regexp: compiling `{3,255}` at init cost
// every cold start a millisecond.)
func validTableName(t string) bool {
	if len(t) < 3 || len(t) > 255 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// table returns the table named by the URL's path.
func (s *spec) table() (string, error) {
	t := strings.TrimPrefix(s.u.Path, "/")
	if t == "" {
		return "", errorf("%s URL names no table: want %s", s.scheme, s.example())
	}
	if !validTableName(t) {
		return "", errorf("bad table name %q: DynamoDB table names are 3 to 255 letters, digits, '_', '-' or '.'", t)
	}
	return t, nil
}

func (s *spec) example() string {
	if s.scheme == "dynamodb" {
		return "dynamodb:///TABLE"
	}
	return s.scheme + "://HOST:PORT/TABLE"
}

func (s *spec) checkDynamoDB() error {
	if s.u.Host != "" || s.u.User != nil {
		return errorf("dynamodb URL takes no host (%q): write %s, with three slashes", s.u.Host, s.example())
	}
	if _, err := s.table(); err != nil {
		return err
	}
	if ep, ok := s.params["endpoint"]; ok {
		e, err := url.Parse(ep[0])
		if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
			return errorf("endpoint=%q: want an http:// or https:// URL such as http://127.0.0.1:8000", ep[0])
		}
	}
	return s.onlyParams("endpoint", "region")
}

func (s *spec) checkDAX() error {
	if s.u.Hostname() == "" {
		return errorf("%s URL names no host: want %s", s.scheme, s.example())
	}
	if s.u.User != nil {
		return errorf("%s URL takes no user or password: DAX uses AWS credentials", s.scheme)
	}
	if _, err := s.table(); err != nil {
		return err
	}
	return s.onlyParams("region")
}

// onlyParams refuses parameters other than known (and the wrappers').
func (s *spec) onlyParams(known ...string) error {
	names := slices.Sorted(maps.Keys(s.params))
	for _, name := range names {
		if !slices.Contains(known, name) {
			takes := strings.Join(append(known, "cache", "profile"), ", ")
			return errorf("unknown parameter %q for a %s URL (it takes %s)", name, s.scheme, takes)
		}
	}
	return nil
}

// daxEndpoint returns the DAX cluster endpoint, with the default port when the URL
// has none.
func (s *spec) daxEndpoint() string {
	port := s.u.Port()
	if port == "" {
		port = "8111"
		if s.scheme == "daxs" {
			port = "9111"
		}
	}
	return s.scheme + "://" + net.JoinHostPort(s.u.Hostname(), port)
}
