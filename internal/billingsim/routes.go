package billingsim

import (
	"net/http"
	"strconv"
)

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST "+InternalPrefix+TokenPath, s.token)
	m.HandleFunc("POST "+InternalPrefix+"/account/{a}/meter-readings", s.internal(s.readings))
	m.HandleFunc("GET "+InternalPrefix+"/accounts/{a}/estimatedusage", s.internal(s.estimatedUsage))
	m.HandleFunc("GET /Accounts/{a}/MeterPoints", s.public(s.meterPoints))
	m.HandleFunc("GET /Accounts/{a}/MeterPoints/{mp}/Readings", s.public(s.billable))
	m.HandleFunc("GET /Accounts/{a}/TariffsWithHistory", s.public(s.tariffHistory))
	m.HandleFunc("GET /Accounts/{a}/SupplyStatus", s.public(s.supplyStatus))
	s.mux = m
}

type accountHandler func(w http.ResponseWriter, r *http.Request, a *account)

// public wraps a handler of the public API: static bearer token, then the
// account from the path.
func (s *Server) public(h accountHandler) http.HandlerFunc { return s.guard(false, h) }

// internal wraps a handler of the internal API: an issued access token.
func (s *Server) internal(h accountHandler) http.HandlerFunc { return s.guard(true, h) }

func (s *Server) guard(internal bool, h accountHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r, internal) {
			s.unauthorized(w)
			return
		}
		id, err := strconv.ParseInt(r.PathValue("a"), 10, 64)
		if err != nil || id < 1 || id > int64(s.cfg.Accounts) {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "Account not found"})
			return
		}
		h(w, r, s.account(id))
	}
}

// token is the password grant: form username, password, grant_type.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "password" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	if r.PostForm.Get("username") != s.cfg.Username || r.PostForm.Get("password") != s.cfg.Password {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "The user name or password is incorrect."})
		return
	}
	tok, ttl := s.issue()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": int64(ttl.Seconds())})
}

// visible returns the account's readings created by AsOf, newest first.
func (s *Server) visible(a *account) []Reading {
	out := []Reading{}
	for _, g := range a.readings {
		if !g.created.After(s.cfg.AsOf) {
			out = append(out, g.Reading)
		}
	}
	return out
}

// readings is the paged internal meter-readings endpoint, sorted by
// meterReadingDateTime (Descending or Ascending), page 1..totalPages.
func (s *Server) readings(w http.ResponseWriter, r *http.Request, a *account) {
	q := r.URL.Query()
	if q.Get("sortField") != "meterReadingDateTime" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "sortField must be meterReadingDateTime"})
		return
	}
	dir := q.Get("sortDirection")
	if dir != "Descending" && dir != "Ascending" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "sortDirection must be Descending or Ascending"})
		return
	}
	page := 1
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "page must be a positive integer"})
			return
		}
		page = n
	}
	all := s.visible(a)
	if dir == "Ascending" {
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
	}
	size := s.cfg.PageSize
	resp := ReadingsPage{Page: page, ItemsPerPage: size, Items: []Reading{}, Total: len(all), TotalPages: (len(all) + size - 1) / size}
	if lo := (page - 1) * size; lo < len(all) {
		resp.Items = all[lo:min(lo+size, len(all))]
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) estimatedUsage(w http.ResponseWriter, r *http.Request, a *account) {
	writeJSON(w, http.StatusOK, a.estimates)
}

// meterPoints returns the account's meter points; without
// includeHistory=true only those whose association is open.
func (s *Server) meterPoints(w http.ResponseWriter, r *http.Request, a *account) {
	out := []MeterPoint{}
	history := r.URL.Query().Get("includeHistory") == "true"
	for i, mp := range a.points {
		if history || a.current[i] {
			out = append(out, mp)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// billable returns the reading events of one of the account's meter
// points (only billable ones with isBilleable=true), newest first.
func (s *Server) billable(w http.ResponseWriter, r *http.Request, a *account) {
	mp, err := strconv.ParseInt(r.PathValue("mp"), 10, 64)
	found := false
	for _, p := range a.points {
		found = found || p.ID == mp
	}
	if err != nil || !found {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Meter point not found"})
		return
	}
	onlyBillable := r.URL.Query().Get("isBilleable") == "true"
	out := []BillableReading{}
	index := map[int64]int{}
	for _, rd := range s.visible(a) {
		if rd.MeterPointID != mp || (onlyBillable && !rd.Billable) {
			continue
		}
		i, ok := index[rd.MeterReadingID]
		if !ok {
			i = len(out)
			index[rd.MeterReadingID] = i
			out = append(out, BillableReading{ID: rd.MeterReadingID, ReadingType: rd.MeterReadingTypeUID, MeterPointID: mp,
				DateTime: rd.MeterReadingDateTime, CreatedDate: rd.MeterReadingCreatedDate, MeterReadingSource: rd.MeterReadingSourceUID})
		}
		out[i].Readings = append(out[i].Readings, RegisterValue{ID: rd.RegisterReadingID, RegisterID: rd.RegisterID, Value: rd.ReadingValue})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) tariffHistory(w http.ResponseWriter, r *http.Request, a *account) {
	writeJSON(w, http.StatusOK, a.tariffs)
}

// supplyStatus answers a bare JSON string, as the platform does.
func (s *Server) supplyStatus(w http.ResponseWriter, r *http.Request, a *account) {
	writeJSON(w, http.StatusOK, a.status)
}

// cacheSize bounds the generated accounts kept in memory.
const cacheSize = 4096

// account returns the generated account id, from the cache when it can.
func (s *Server) account(id int64) *account {
	s.cacheMu.Lock()
	a, ok := s.cache[id]
	s.cacheMu.Unlock()
	if ok {
		return a
	}
	a = generate(s.cfg.Seed, id)
	s.cacheMu.Lock()
	if len(s.cache) >= cacheSize {
		clear(s.cache)
	}
	s.cache[id] = a
	s.cacheMu.Unlock()
	return a
}

func (s *Server) unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Authorization has been denied for this request."})
}
