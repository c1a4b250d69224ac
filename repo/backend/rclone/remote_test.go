package rclone

import (
	"slices"
	"testing"
)

func TestRedactRemote(t *testing.T) {
	for _, tc := range []struct{ remote, want string }{
		{"remote:path/to/repo", "remote:path/to/repo"},
		{"/srv/repo", "/srv/repo"},
		{":local:/srv/repo", ":local:/srv/repo"},
		{":s3,provider=AWS,access_key_id=AKIAX,secret_access_key=abc/def+1:bucket/repo",
			":s3,provider=AWS,access_key_id=[REDACTED],secret_access_key=[REDACTED]:bucket/repo"},
		{"b2,account=123,key=K005secret:bucket", "b2,account=123,key=[REDACTED]:bucket"},
		{`:sftp,host=h,user=u,pass='it''s:secret',port=22:/srv`, `:sftp,host=h,user=u,pass=[REDACTED],port=22:/srv`},
		{`:webdav,url="https://u:pw123@dav.example/x":repo`, `:webdav,url=https://u:[REDACTED]@dav.example/x:repo`},
		{"remote,no_check_bucket:path", "remote,no_check_bucket:path"},
	} {
		if got := redactRemote(tc.remote); got != tc.want {
			t.Errorf("redactRemote(%q) = %q, want %q", tc.remote, got, tc.want)
		}
	}
}

func TestSecretValues(t *testing.T) {
	got := secretValues(`:sftp,host=h,key_pem=PEM,pass='it''s:secret',token="tok,en":p`)
	want := []string{"PEM", "it's:secret", "tok,en"}
	if !slices.Equal(got, want) {
		t.Errorf("secretValues = %q, want %q", got, want)
	}
}
