package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// deliver sends ev to healthchecks (start, success and failure) and to
// the webhook (the events of notify.on).
func (n *HTTPNotifier) deliver(ctx context.Context, ev Event) {
	if ctx.Err() != nil {
		n.log().Warn("notification not delivered: shutting down", "event", ev.Kind)
		return
	}
	nc := n.cfg.Notify
	if hc := nc.Healthchecks.Reveal(); hc != "" {
		if u, ok := healthchecksURL(hc, ev.Kind); ok {
			n.send(ctx, "healthchecks", ev.Kind, u, "text/plain; charset=utf-8", n.pingBody(ev))
		}
	}
	if nc.Wants(ev.Kind) {
		body, err := n.payload(ev)
		if err != nil {
			n.log().Warn("webhook notification failed", "event", ev.Kind, "err", err)
			return
		}
		n.send(ctx, "webhook", ev.Kind, nc.Webhook.Reveal(), "application/json", body)
	}
}

// healthchecksURL returns the ping URL of event: base/start, base and
// base/fail, as healthchecks.io expects; false for events healthchecks
// is not told (it works lateness out itself).
func healthchecksURL(base, event string) (string, bool) {
	suffix := map[string]string{EventStart: "/start", EventSuccess: "", EventFailure: "/fail"}
	s, ok := suffix[event]
	if !ok {
		return "", false
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", false
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + s
	u.RawPath = ""
	return u.String(), true
}

// send POSTs body to rawURL, retrying as HTTPNotifierOptions say, and
// logs a failure; target ("webhook", "healthchecks") names the endpoint.
func (n *HTTPNotifier) send(ctx context.Context, target, event, rawURL, ctype string, body []byte) {
	wait := n.opts.Backoff
	for attempt := 1; ; attempt++ {
		retry, err := n.post(ctx, rawURL, ctype, body)
		if err == nil {
			n.log().Debug(target+" notified", "event", event, "url", NotifyURLDisplay(rawURL))
			return
		}
		if !retry || attempt >= n.opts.Attempts || sleepTimer(ctx, wait) != nil {
			n.log().Warn(target+" notification failed", "event", event, "url", NotifyURLDisplay(rawURL),
				"attempts", attempt, "err", n.cfg.Redactor().Redact(err.Error()))
			return
		}
		wait *= 2
	}
}

// post sends one request. retry says whether trying again may help.
func (n *HTTPNotifier) post(ctx context.Context, rawURL, ctype string, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return false, errors.New("invalid URL")
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("User-Agent", "kamal-backup")
	resp, err := n.opts.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			// url.Error repeats the URL, token and all: keep the cause.
			err = fmt.Errorf("%s: %w", ue.Op, ue.Err)
		}
		return ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return false, nil
	case c == http.StatusRequestTimeout || c == http.StatusTooManyRequests || c >= 500:
		return true, fmt.Errorf("HTTP status %s", resp.Status)
	default:
		return false, fmt.Errorf("HTTP status %s", resp.Status)
	}
}
