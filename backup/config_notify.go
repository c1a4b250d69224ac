package backup

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kamal-backup/kamal-backup/redact"
)

// Notification events: the values of notify.on, and the Kind of an
// Event.
const (
	// EventFailure is a scheduled backup that failed.
	EventFailure = "failure"
	// EventSuccess is a scheduled backup that succeeded.
	EventSuccess = "success"
	// EventLate is a source whose newest successful backup became older
	// than the schedule allows (ScheduleStatus.LateAfter).
	EventLate = "late"
	// EventStart is a scheduled backup starting. Only healthchecks is told
	// (its /start ping); notify.on does not accept it.
	EventStart = "start"
)

// notifyEvents are the events notify.on accepts.
var notifyEvents = []string{EventFailure, EventSuccess, EventLate}

// defaultNotifyOn are the events sent to the webhook when notify.on is
// not set: failures and lateness.
var defaultNotifyOn = []string{EventFailure, EventLate}

// NotifyConfig is the notify section: where the schedule reports its
// runs. The URLs usually carry a token, so they are secrets: they print
// as [REDACTED] and are registered with the Config's redactor.
type NotifyConfig struct {
	// On are the events POSTed to Webhook (EventFailure, EventSuccess,
	// EventLate); EventFailure and EventLate when not configured.
	On []string
	// Webhook receives a JSON document per event in On; zero when not
	// configured.
	Webhook redact.Secret
	// Healthchecks is a healthchecks.io (or compatible) ping URL: it is
	// pinged at the start (/start), success and failure (/fail) of every
	// scheduled backup, whatever On says. Zero when not configured.
	Healthchecks redact.Secret
}

// Configured reports whether a webhook or healthchecks URL is set.
func (n NotifyConfig) Configured() bool { return !n.Webhook.IsZero() || !n.Healthchecks.IsZero() }

// Wants reports whether the webhook is told about event.
func (n NotifyConfig) Wants(event string) bool {
	return !n.Webhook.IsZero() && slices.Contains(n.On, event)
}

// notifyURLKinds are the forms of notify.webhook and notify.healthchecks.
var notifyURLKinds = sourceKinds{literal: true, file: true,
	forms: "https://host/path, {secret: ENV_NAME} or {file: PATH}"}

// notifyLayer is the notify section of a layer.
type notifyLayer struct {
	on           setting[[]string]
	webhook      setting[source]
	healthchecks setting[source]
}

// overlay merges o over n, key by key.
func (n *notifyLayer) overlay(o *notifyLayer) {
	n.on.over(o.on)
	n.webhook.over(o.webhook)
	n.healthchecks.over(o.healthchecks)
}

// notify decodes the notify section.
func (d *yamlDecoder) notify(l *layer, n *yaml.Node, at string) {
	d.fields(n, at, []string{"on", "webhook", "healthchecks"}, func(key string, v *yaml.Node, at string) {
		switch key {
		case "on":
			l.notify.on = d.list(v, at, "event", true)
		case "webhook":
			l.notify.webhook = d.source(v, at, notifyURLKinds)
		case "healthchecks":
			l.notify.healthchecks = d.source(v, at, notifyURLKinds)
		}
	})
}

// notifyEnv reads KAMAL_BACKUP_NOTIFY_ON (events separated by commas or
// blanks), KAMAL_BACKUP_NOTIFY_WEBHOOK and
// KAMAL_BACKUP_NOTIFY_HEALTHCHECKS.
func notifyEnv(e envReader) notifyLayer {
	var n notifyLayer
	if v, ok := e.get("KAMAL_BACKUP_NOTIFY_ON"); ok {
		n.on = setAt(strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }), "KAMAL_BACKUP_NOTIFY_ON")
	}
	n.webhook = e.secret("KAMAL_BACKUP_NOTIFY_WEBHOOK")
	n.healthchecks = e.secret("KAMAL_BACKUP_NOTIFY_HEALTHCHECKS")
	return n
}

// notifyOrigins remembers where the notify settings came from.
type notifyOrigins struct {
	onAt         string // empty when notify.on is not set
	webhook      resolved
	healthchecks resolved
}

// notify resolves the notify section.
func (r resolver) notify(n notifyLayer) (NotifyConfig, notifyOrigins) {
	var c NotifyConfig
	var o notifyOrigins
	c.On = slices.Clone(defaultNotifyOn)
	if n.on.set {
		c.On, o.onAt = []string{}, n.on.at
		for _, ev := range n.on.v {
			c.On = append(c.On, strings.ToLower(strings.TrimSpace(ev)))
		}
	}
	c.Webhook, o.webhook = r.secret(n.webhook, true)
	c.Healthchecks, o.healthchecks = r.secret(n.healthchecks, true)
	return c, o
}
