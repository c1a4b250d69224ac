package testenv

import (
	"net/http"
	"strings"
	"testing"
)

// TestStartRESTServer checks that the server listens, asks for the
// password and accepts the account, and that private repositories live
// below the user's name.
func TestStartRESTServer(t *testing.T) {
	s := StartRESTServer(t, RESTServerOpts{PrivateRepos: true})
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") || !strings.HasSuffix(s.URL, "/") {
		t.Fatalf("URL %q", s.URL)
	}
	if strings.Contains(s.URL, s.Password) || strings.Contains(s.Location("r"), s.Password) {
		t.Fatalf("URL or location holds the password")
	}
	if got, want := s.RepoURL("r"), s.URL+s.Username+"/r/"; got != want {
		t.Errorf("RepoURL = %q, want %q", got, want)
	}
	if !strings.Contains(s.LocationWithCredentials("r"), s.Username+":"+s.Password+"@") {
		t.Errorf("LocationWithCredentials = %q lacks the credentials", s.LocationWithCredentials("r"))
	}
	status := func(user, pass string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, s.RepoURL("r")+"?create=true", nil)
		if err != nil {
			t.Fatal(err)
		}
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status("", ""); got != http.StatusUnauthorized {
		t.Errorf("without credentials: %d, want 401", got)
	}
	if got := status(s.Username, "wrong"); got != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", got)
	}
	if got := status(s.Username, s.Password); got != http.StatusOK {
		t.Errorf("create with the account: %d, want 200", got)
	}
}

// TestStartRESTServerNoAuth checks the open server and Env.
func TestStartRESTServerNoAuth(t *testing.T) {
	s := StartRESTServer(t, RESTServerOpts{NoAuth: true, AppendOnly: true})
	if s.Username != "" || s.Env() != nil {
		t.Fatalf("no-auth server has an account: %q %v", s.Username, s.Env())
	}
	resp, err := http.Post(s.RepoURL("r")+"?create=true", "binary/octet-stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("create: %d, want 200", resp.StatusCode)
	}
}
