package backup

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Notification URLs of these tests; their tokens are secrets.
const (
	testHookToken = "hooktoken-3f9a1c77e2b84d05"
	testHCUUID    = "5b0c7e2a-93d4-4f61-a8e0-1f2d3c4b5a69"
)

func TestNotifyConfig(t *testing.T) {
	hook := "https://hooks.example.com/services/" + testHookToken
	hc := "https://hc-ping.com/" + testHCUUID
	t.Run("file", func(t *testing.T) {
		env := baseEnv()
		env["HC_URL"] = hc
		cfg := mustLoad(t, validBase+fmt.Sprintf("notify:\n  on: [failure, Success, late]\n  webhook: %s\n  healthchecks: {secret: HC_URL}\n", hook), env, LoadOptions{})
		n := cfg.Notify
		if !slices.Equal(n.On, []string{EventFailure, EventSuccess, EventLate}) || n.Webhook.Reveal() != hook || n.Healthchecks.Reveal() != hc {
			t.Errorf("notify %v %q %q", n.On, n.Webhook.Reveal(), n.Healthchecks.Reveal())
		}
		if !n.Configured() || !n.Wants(EventSuccess) || n.Wants(EventStart) {
			t.Errorf("Configured %v, Wants(success) %v, Wants(start) %v", n.Configured(), n.Wants(EventSuccess), n.Wants(EventStart))
		}
		if got := cfg.Summary().Notify; !slices.Equal(got, []string{"healthchecks", "on", "webhook"}) {
			t.Errorf("summary keys %q", got)
		}
		text := fmt.Sprintf("POST %s: EOF; GET %s/start; %+v; %#v", hook, hc, cfg, cfg.Notify)
		noSecret(t, []string{testHookToken, testHCUUID}, cfg.Redactor().Redact(text))
		if !strings.Contains(fmt.Sprintf("%+v", cfg.Notify), "[REDACTED]") {
			t.Errorf("printed notify config: %+v", cfg.Notify)
		}
	})
	t.Run("defaults", func(t *testing.T) {
		cfg := mustLoad(t, validBase+"notify: {webhook: {secret: HOOK}}\n", fakeEnv{"HOOK": hook, "DB_PASSWORD": "x1y2z3", "RESTIC_PASSWORD": "p4q5r6"}, LoadOptions{})
		if !slices.Equal(cfg.Notify.On, defaultNotifyOn) || !cfg.Notify.Wants(EventFailure) || cfg.Notify.Wants(EventSuccess) {
			t.Errorf("on %q", cfg.Notify.On)
		}
		if none := mustLoad(t, validBase+"notify: {on: []}\n", baseEnv(), LoadOptions{}); none.Notify.Configured() || len(none.Notify.On) != 0 {
			t.Errorf("notify with on: [] %+v", none.Notify)
		}
	})
	t.Run("environment overrides", func(t *testing.T) {
		env := baseEnv()
		env["KAMAL_BACKUP_NOTIFY_ON"] = "success, late"
		env["KAMAL_BACKUP_NOTIFY_WEBHOOK"] = hook + "?via=env"
		env["KAMAL_BACKUP_NOTIFY_HEALTHCHECKS"] = hc
		cfg := mustLoad(t, validBase+"notify: {on: [failure], webhook: https://other.example.com/x}\n", env, LoadOptions{})
		n := cfg.Notify
		if !slices.Equal(n.On, []string{EventSuccess, EventLate}) || n.Webhook.Reveal() != hook+"?via=env" || n.Healthchecks.Reveal() != hc {
			t.Errorf("notify %v %q %q", n.On, n.Webhook.Reveal(), n.Healthchecks.Reveal())
		}
		noSecret(t, []string{testHookToken, testHCUUID}, cfg.Redactor().Redact(hook+" "+hc))
	})
	t.Run("display", func(t *testing.T) {
		for in, want := range map[string]string{hc: "https://hc-ping.com/[REDACTED]", "http://u:p@h:8/a?b=c": "http://h:8/[REDACTED]", "::": "[REDACTED]"} {
			if got := NotifyURLDisplay(in); got != want {
				t.Errorf("NotifyURLDisplay(%q) = %q, want %q", in, got, want)
			}
		}
	})
}

func TestNotifyConfigErrors(t *testing.T) {
	secret := "ftp://hooks.example.com/" + testHookToken
	cases := []errorCase{
		{
			name: "unknown event",
			yaml: validBase + "notify: {on: [failure, fail]}\n",
			want: []string{`notify.on[1]: unknown event "fail" (write failure, success or late)`},
		},
		{
			name: "unknown event from the environment",
			yaml: validBase,
			env:  map[string]string{"KAMAL_BACKUP_NOTIFY_ON": "start"},
			want: []string{`KAMAL_BACKUP_NOTIFY_ON: unknown event "start" (write failure, success or late)`},
		},
		{
			name: "not http",
			yaml: validBase + "notify: {webhook: '" + secret + "', healthchecks: hc-ping.com/abc}\n",
			want: []string{"notify.webhook: not an http or https URL (write https://host/path)",
				"notify.healthchecks: not an http or https URL (write https://host/path)"},
		},
		{
			name: "not http from the environment",
			yaml: validBase,
			env:  map[string]string{"KAMAL_BACKUP_NOTIFY_HEALTHCHECKS": secret},
			want: []string{"KAMAL_BACKUP_NOTIFY_HEALTHCHECKS: not an http or https URL (write https://host/path)"},
		},
		{
			name: "unset secret",
			yaml: validBase + "notify: {healthchecks: {secret: HC_URL}, webhook: {command: echo}}\n",
			want: []string{"{file}: notify.webhook.command: not supported here (write https://host/path, {secret: ENV_NAME} or {file: PATH})",
				"notify.healthchecks: environment variable HC_URL is empty or unset"},
		},
		{
			name: "not a mapping",
			yaml: validBase + "notify: [webhook]\n",
			want: []string{"{file}: notify: must be a mapping of on, webhook, healthchecks, not a list"},
		},
		{
			name: "unknown key",
			yaml: validBase + "notify: {webook: https://x.example.com/y}\n",
			want: []string{"{file}: notify.webook: unknown key (did you mean webhook?)"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := configDir(t, t.TempDir(), tc.yaml, "")
			env := baseEnv()
			for k, v := range tc.env {
				env[k] = v
			}
			_, err := LoadConfig(path, env.lookup, tc.opts)
			var want []string
			for _, w := range tc.want {
				want = append(want, strings.ReplaceAll(w, "{file}", path))
			}
			if got := errorLines(err); !slices.Equal(got, want) {
				t.Errorf("problems:\n got  %q\n want %q", got, want)
			}
			if err != nil {
				fieldErrors(t, err)
				noSecret(t, []string{testHookToken}, err.Error())
			}
		})
	}
}
