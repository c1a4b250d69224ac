package redact

import (
	"encoding/base64"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func TestRedactValues(t *testing.T) {
	var r Redactor
	r.Add("s3cr3t-pw", "ab", "", "abc", "overlap-XYZ", "XYZ-tail", "pre", "prefix-long")
	cases := []struct{ in, want string }{
		{"connect with s3cr3t-pw now", "connect with [REDACTED] now"},
		{"s3cr3t-pw", "[REDACTED]"},
		{"twice s3cr3t-pw s3cr3t-pw", "twice [REDACTED] [REDACTED]"},
		{"short ab stays", "short ab stays"},
		{"abc is three bytes", "[REDACTED] is three bytes"},
		{"encoded " + url.QueryEscape("s3cr3t-pw") + " " + base64.StdEncoding.EncodeToString([]byte("s3cr3t-pw")),
			"encoded [REDACTED] [REDACTED]"},
		// Overlapping occurrences become one run, so nothing survives in part.
		{"x overlap-XYZ-tail y", "x [REDACTED] y"},
		// Prefixes of each other: the longer one wins, no tail is left.
		{"prefix-long prefix pre", "[REDACTED] [REDACTED]fix [REDACTED]"},
		{"abcabcabc", "[REDACTED]"},
	}
	for _, c := range cases {
		if got := r.Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := string(r.RedactBytes([]byte("b s3cr3t-pw"))); got != "b [REDACTED]" {
		t.Errorf("RedactBytes = %q", got)
	}
}

func TestRedactEncodedForms(t *testing.T) {
	const secret = `p@ss "w/rd"<&>\"`
	var r Redactor
	r.Add(secret)
	for _, form := range encodingsForTest(secret) {
		if got := r.Redact("x " + form + " y"); got != "x [REDACTED] y" {
			t.Errorf("form %q: Redact = %q", form, got)
		}
	}
}

func TestRedactPatterns(t *testing.T) {
	cases := []struct{ in, want string }{
		{"password=hunter2 user=app", "password=[REDACTED] user=app"},
		{"PGPASSWORD='a b c' next", "PGPASSWORD='[REDACTED]' next"},
		{`msg="auth failed" db_token="x y" n=1`, `msg="auth failed" db_token="[REDACTED]" n=1`},
		{`{"password": "hunter2", "user": "app", "api_key":"k1"}`, `{"password": "[REDACTED]", "user": "app", "api_key":"[REDACTED]"}`},
		{`{"Secret":"a\"b"}`, `{"Secret":"[REDACTED]"}`},
		{`"password"=>"hunter2"`, `"password"=>"[REDACTED]"`},
		{"password: correct horse battery\nuser: app", "password: [REDACTED]\nuser: app"},
		{"  - MYSQL_PWD: xyz", "  - MYSQL_PWD: [REDACTED]"},
		{"Authorization: Bearer eyJ.abc.def", "Authorization: [REDACTED]"},
		{`curl -H "Authorization: Bearer eyJ.abc" -H 'X-Auth-Token:t' https://h`, `curl -H "Authorization: [REDACTED]" -H 'X-Auth-Token:[REDACTED]' https://h`},
		{"{User:app Password:hunter2 Port:5432}", "{User:app Password:[REDACTED] Port:5432}"},
		{"host=db sslmode=require password=p;w", "host=db sslmode=require password=[REDACTED]"},
		{"GET /b?X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=abc123&x-id=Get",
			"GET /b?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&x-id=Get"},
		{"https://h/x?access_key=a&secret_key=b&token=c&apikey=d",
			"https://h/x?access_key=[REDACTED]&secret_key=[REDACTED]&token=[REDACTED]&apikey=[REDACTED]"},
		{"x-auth-token=t1 DB_PASS=p2", "x-auth-token=[REDACTED] DB_PASS=[REDACTED]"},
		// Prose and look-alike keys are kept.
		{"wrong password: ciphertext verification failed", "wrong password: ciphertext verification failed"},
		{"no repository password: set RESTIC_PASSWORD", "no repository password: set RESTIC_PASSWORD"},
		{"tests passed=5 author=Ann bypass=1 key=data/ab", "tests passed=5 author=Ann bypass=1 key=data/ab"},
		{"Fatal: wrong password or no key found", "Fatal: wrong password or no key found"},
		{"password:\n  secret: ENV", "password:\n  secret: [REDACTED]"},
		// A shell variable reference names the secret; it is not one.
		{`curl "https://h/?access_token=$TOKEN" && PGPASSWORD="$DB_PW" psql`, `curl "https://h/?access_token=$TOKEN" && PGPASSWORD="$DB_PW" psql`},
		{"token=${API_TOKEN} password=$1x password=$ password=$a-b", "token=${API_TOKEN} password=[REDACTED] password=[REDACTED] password=[REDACTED]"},
	}
	var r *Redactor // nil applies the patterns only
	for _, c := range cases {
		if got := r.Redact(c.in); got != c.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"rest:https://user:pass@host:8000/repo", "rest:https://user:[REDACTED]@host:8000/repo"},
		{"s3:https://key:secret@host/bucket", "s3:https://key:[REDACTED]@host/bucket"},
		{"sftp:user@host:/path", "sftp:user@host:/path"},
		{"rest:https://user@host/", "rest:https://user@host/"},
		{"postgres://app:p%40ss@db:5432/app?sslmode=require", "postgres://app:[REDACTED]@db:5432/app?sslmode=require"},
		{"redis://:only-pw@cache:6379", "redis://:[REDACTED]@cache:6379"},
		{"mysql://u:p@ss@db/x", "mysql://u:[REDACTED]@db/x"},
		{"https://u:@host/", "https://u:@host/"},
		{"s3:https://host/b?X-Amz-Signature=abc&x=1", "s3:https://host/b?X-Amz-Signature=[REDACTED]&x=1"},
		{"/srv/backups/repo", "/srv/backups/repo"},
		{"dial https://u:pw@a and ftp://v:pw2@b", "dial https://u:[REDACTED]@a and ftp://v:[REDACTED]@b"},
	}
	for _, c := range cases {
		if got := RedactURL(c.in); got != c.want {
			t.Errorf("RedactURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestAddEnv(t *testing.T) {
	var r Redactor
	r.AddEnv([]string{
		"RESTIC_PASSWORD=repo-pass", "AWS_SECRET_ACCESS_KEY=aws-secret", "MYSQL_PWD=mypwd",
		"RAILS_MASTER_KEY=master-key", "DATABASE_URL=postgres://app:db%2Fpass@db/app",
		"RESTIC_PASSWORD_FILE=/run/secrets/pw", "HOME=/root", "PASSENGER_APP_ENV=production", "BROKEN",
	})
	in := "repo-pass aws-secret mypwd master-key db/pass db%2Fpass /run/secrets/pw /root production"
	want := "[REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] [REDACTED] /run/secrets/pw /root production"
	if got := r.Redact(in); got != want {
		t.Errorf("Redact = %q\nwant      %q", got, want)
	}
}

func TestIsSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"RESTIC_PASSWORD": true, "PGPASSWORD": true, "MYSQL_PWD": true, "AWS_SECRET_ACCESS_KEY": true,
		"AWS_SESSION_TOKEN": true, "B2_ACCOUNT_KEY": true, "db-pass": true, "Authorization": true,
		"RESTIC_PASSWORD_FILE": false, "RESTIC_PASSWORD_COMMAND": false, "PASSENGER_APP_ENV": false,
		"HOME": false, "KEYBOARD": false, "DATABASE_URL": false, "": false,
	} {
		if got := IsSecretName(name); got != want {
			t.Errorf("IsSecretName(%q) = %v", name, got)
		}
	}
}

func TestRedactorConcurrent(t *testing.T) {
	var r Redactor
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() { defer wg.Done(); r.Add(strings.Repeat(string(rune('a'+i)), 5)) }()
		go func() { defer wg.Done(); _ = r.Redact("aaaaa bbbbb password=x") }()
	}
	wg.Wait()
	if got := r.Redact("aaaaa hhhhh"); got != "[REDACTED] [REDACTED]" {
		t.Errorf("Redact = %q", got)
	}
}

// encodingsForTest lists, independently of encodings, the forms a secret
// must be removed in.
func encodingsForTest(s string) []string {
	return []string{
		s, url.QueryEscape(s), url.PathEscape(s),
		base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s)),
		strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s),
	}
}
