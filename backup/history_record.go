package backup

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo"
)

// historyWriter appends records to a state directory's history and
// mirrors the history into the repository.
type historyWriter struct {
	sd StateDir
	// rp is the open repository; nil appends to the local history only.
	rp        *repo.Repository
	app, host string
	log       *slog.Logger
	now       func() time.Time
	red       *redact.Redactor
	// lock runs fn under a non-exclusive lock on rp.
	lock func(ctx context.Context, fn func(ctx context.Context) error) error
}

// record appends rec to the history, continuing from the repository's
// mirror when the local history is empty, then mirrors every entry the
// repository lacks. An append that fails is returned; a mirror that
// fails is only logged, since the next run mirrors what is missing.
func (w historyWriter) record(ctx context.Context, rec any) error {
	opts := HistoryAppendOptions{Now: w.now, Logger: w.log}
	if w.rp != nil {
		opts.Seed = func() ([]HistoryEntry, error) {
			entries, issues, err := LoadHistoryMirror(ctx, w.rp, w.app)
			for _, i := range issues {
				w.log.Warn("history mirror", "problem", i.Message)
			}
			return entries, err
		}
	}
	if _, err := w.sd.AppendHistory(rec, opts); err != nil {
		return fmt.Errorf("record the history: %w", err)
	}
	if w.rp == nil {
		return nil
	}
	if err := w.lock(ctx, w.mirror); err != nil {
		w.log.Warn("the history could not be mirrored to the repository; the next backup or check mirrors it",
			"err", w.red.Redact(err.Error()))
	}
	return nil
}

// mirror writes the entries the repository lacks, holding the history's
// lock so that two processes do not mirror the same entry.
func (w historyWriter) mirror(ctx context.Context) error {
	release, err := lockHistory(w.sd.Path, true)
	if err != nil {
		return err
	}
	defer release()
	log, err := w.sd.readHistoryLocked()
	if err != nil {
		return err
	}
	n, err := MirrorHistory(ctx, w.rp, w.app, w.host, log.Entries)
	if n > 1 {
		w.log.Info("history entries mirrored to the repository", "entries", n)
	}
	return err
}

// saveRecord stores rec as the state record name, appends it to the
// history and mirrors the history into rp, under a non-exclusive lock
// taken for the purpose (the caller must hold no lock on rp). rp nil
// (the repository could not be opened) appends locally only.
func (r *Runner) saveRecord(ctx context.Context, rp *repo.Repository, name string, rec any) error {
	sd := r.Config.StateDir()
	if err := sd.WriteRecord(name, rec); err != nil {
		return err
	}
	w := historyWriter{sd: sd, rp: rp, app: r.Config.App, host: r.Config.Hostname(), log: r.log(), now: r.now,
		red: r.Config.Redactor()}
	w.lock = func(ctx context.Context, fn func(ctx context.Context) error) error {
		return r.withLock(ctx, rp, false, func(ctx context.Context, _ *repo.Lock) error { return fn(ctx) })
	}
	return w.record(ctx, rec)
}

// saveRecord stores rec as the state record name in cfg's state
// directory and appends it to its history. The history of the
// production configuration is mirrored into the repository; a local
// configuration's (a developer's machine) is not, since it is not the
// accessory's chain. The caller must hold no lock on the repository.
func (r *Restorer) saveRecord(ctx context.Context, cfg *Config, name string, rec any) error {
	sd := cfg.StateDir()
	if err := sd.WriteRecord(name, rec); err != nil {
		return err
	}
	w := historyWriter{sd: sd, app: r.prod.App, host: r.prod.Hostname(), log: r.log, now: r.now, red: cfg.Redactor()}
	if !cfg.Local() {
		w.rp = r.repo
	}
	w.lock = func(ctx context.Context, fn func(ctx context.Context) error) error {
		l, lctx, err := r.lock(ctx)
		if err != nil {
			return err
		}
		defer func() {
			if err := l.Unlock(); err != nil {
				r.log.Warn("release repository lock", "err", err)
			}
		}()
		return fn(lctx)
	}
	return w.record(ctx, rec)
}
