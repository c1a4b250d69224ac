package backup

import (
	"net/url"
	"slices"
	"strings"

	"github.com/kamal-backup/kamal-backup/redact"
)

// minTokenSegment is the length from which a segment of a notification
// URL's path is taken for a token and registered as a secret on its own
// (healthchecks UUIDs and ping keys, Slack webhook tokens). Shorter
// segments ("hooks", "ping") are ordinary words.
const minTokenSegment = 16

// validateNotify checks the notify section: known events in on, and
// webhook and healthchecks URLs that resolved to http or https URLs. A
// URL is never repeated in a message.
func (c *Config) validateNotify(p *problems) {
	o := c.origin.notify
	for i, ev := range c.Notify.On {
		if slices.Contains(notifyEvents, ev) {
			continue
		}
		at := o.onAt
		if strings.HasPrefix(at, "notify.") {
			at = indexPath(at, i)
		}
		p.add(at, "unknown event %q (write %s)", ev, orList(notifyEvents, ""))
	}
	for _, x := range []struct {
		r resolved
		v redact.Secret
	}{{o.webhook, c.Notify.Webhook}, {o.healthchecks, c.Notify.Healthchecks}} {
		switch {
		case !x.r.set:
		case x.r.issue != "":
			c.validateSecret(p, x.r)
		case x.v.IsZero():
			if !c.shapeOnly || x.r.src.written() {
				p.add(x.r.src.At, "empty (write %s)", notifyURLKinds.forms)
			}
		case !httpURL(x.v.Reveal()):
			p.add(x.r.src.At, "not an http or https URL (write https://host/path)")
		}
	}
}

// httpURL reports whether s is an absolute http or https URL with a host.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// addNotifySecrets registers the notification URLs with r: each whole,
// its password and secret query values, and the long segments of its
// path (tokens).
func addNotifySecrets(r *redact.Redactor, n NotifyConfig) {
	for _, s := range []redact.Secret{n.Webhook, n.Healthchecks} {
		v := s.Reveal()
		if v == "" {
			continue
		}
		r.Add(v, strings.TrimRight(v, "/"))
		addURLSecrets(r, v)
		u, err := url.Parse(v)
		if err != nil {
			continue
		}
		for seg := range strings.SplitSeq(u.Path, "/") {
			if len(seg) >= minTokenSegment {
				r.Add(seg)
			}
		}
	}
}

// NotifyURLDisplay returns a notification URL for logs and messages: its
// scheme and host only, the rest (which carries the token) replaced by
// [REDACTED]: "https://hc-ping.com/[REDACTED]".
func NotifyURLDisplay(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return redact.Redacted
	}
	return u.Scheme + "://" + u.Host + "/" + redact.Redacted
}

// notifyKeys lists the notify keys configured, for the Summary.
func (c *Config) notifyKeys() []string {
	var keys []string
	o := c.origin.notify
	if o.healthchecks.set {
		keys = append(keys, "healthchecks")
	}
	if o.onAt != "" {
		keys = append(keys, "on")
	}
	if o.webhook.set {
		keys = append(keys, "webhook")
	}
	return keys
}
