package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestScheduleNotifiesFailure runs a scheduled backup whose queue dump
// fails with an error naming the database URL, password and all, and
// requires healthchecks to get /start then /fail, and the webhook a
// failure document; no secret of the configuration, nor the tokens of
// the notification URLs, may reach the requests or the log.
func TestScheduleNotifiesFailure(t *testing.T) {
	srv := newHookServer(t, nil)
	hook := fmt.Sprintf("%s/hook/%s?token=qs-%s", srv.URL, testHookToken, testHookToken)
	hc := srv.URL + "/hc/" + testHCUUID
	f := newRunFixture(t, fixtureOptions{extra: fmt.Sprintf("notify: {on: [failure, success], webhook: '%s', healthchecks: '%s'}\n", hook, hc)})
	var log syncBuffer
	f.runner.Logger = slog.New(slog.NewJSONHandler(&log, nil))
	f.adapter.setFail("queue", errors.New("cannot reach "+runQueueURL))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	err := f.runner.Schedule(ctx, ScheduleOptions{Sleep: (&stubSleeper{clock: f.clock}).sleep,
		AfterBackup: func(*BackupReport, error) { cancel() }})
	if err != nil {
		t.Fatal(err)
	}
	// Schedule waited for the deliveries before returning.
	reqs := srv.requests()
	if diff := cmp.Diff([]string{"/hc/" + testHCUUID + "/start", "/hc/" + testHCUUID + "/fail", "/hook/" + testHookToken}, srv.paths()); diff != "" {
		t.Fatalf("requests (-want +got):\n%s", diff)
	}
	var doc struct {
		Notification
		Record map[string]any `json:"record"`
	}
	if err := json.Unmarshal(reqs[2].body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Event != EventFailure || doc.Record["status"] != StatusFailed || !strings.Contains(doc.Error, "database queue") ||
		!strings.HasPrefix(doc.Summary, "shop: backup failed") {
		t.Errorf("webhook payload %s", reqs[2].body)
	}
	if !strings.Contains(string(reqs[1].body), "database:queue: failed") {
		t.Errorf("healthchecks /fail body %q", reqs[1].body)
	}
	secrets := []string{runRepoPassword, runDBPassword, "queue-pw-5d2e8a", testHookToken, testHCUUID}
	for _, r := range reqs {
		noSecret(t, secrets, string(r.body))
	}
	noSecret(t, secrets, log.String())
	if !strings.Contains(string(reqs[2].body), "[REDACTED]") {
		t.Errorf("the payload does not show the redacted password: %s", reqs[2].body)
	}
}
