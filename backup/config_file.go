package backup

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// topKeys are the keys of a configuration file. evidence and notify are
// kamal-backup (Go) additions that the Ruby kamal-backup refuses.
var topKeys = []string{"app", "accessory", "databases", "paths", "restore_from", "restic", "backup", "state", "evidence", "notify"}

// The forms secret-capable values accept, by setting.
var (
	databaseURLKinds      = sourceKinds{literal: true, forms: "url: postgres://user@host:5432/dbname or url: {secret: ENV_NAME}"}
	databasePasswordKinds = sourceKinds{file: true, legacy: true, forms: "password: {secret: ENV_NAME} or password: {file: PATH}"}
	repositoryKinds       = sourceKinds{literal: true, forms: "repository: s3:https://host/bucket or repository: {secret: ENV_NAME}"}
	resticPasswordKinds   = sourceKinds{file: true, command: true, legacy: true, forms: "password: {secret: ENV_NAME}, {file: PATH} or {command: CMD}"}
	restUsernameKinds     = sourceKinds{literal: true, file: true, forms: "username: NAME, {secret: ENV_NAME} or {file: PATH}"}
	restPasswordKinds     = sourceKinds{file: true, forms: "password: {secret: ENV_NAME} or {file: PATH}"}
)

// decodeFile reads one configuration file's text into a layer, recording
// every problem in p (with p.file set to name).
func decodeFile(name string, data []byte, p *problems) *layer {
	p.file = name
	defer func() { p.file = "" }()
	l := &layer{}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.add("", "invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		p.unreadable = true
		return l
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return l
	}
	d := &yamlDecoder{p: p}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		p.add("", "must be a YAML mapping of settings (app, databases, paths, restic, backup, ...)")
		p.unreadable = true
		return l
	}
	d.fields(root, "", topKeys, func(key string, v *yaml.Node, at string) {
		switch key {
		case "app":
			l.app = d.str(v, at)
		case "accessory":
			l.accessory = d.str(v, at)
		case "databases":
			d.databases(l, v, at)
		case "paths":
			d.paths(l, v, at)
		case "restore_from":
			l.restoreFrom = d.list(v, at, "path", true)
		case "restic":
			d.restic(l, v, at)
		case "backup":
			d.fields(v, at, []string{"schedule", "enabled", "start_delay"}, func(key string, v *yaml.Node, at string) {
				switch key {
				case "schedule":
					l.schedule = d.interval(v, at, false)
				case "enabled":
					l.enabled = d.boolean(v, at)
				case "start_delay":
					l.startDelay = d.interval(v, at, true)
				}
			})
		case "state":
			d.fields(v, at, []string{"path"}, func(_ string, v *yaml.Node, at string) { l.statePath = d.str(v, at) })
		case "evidence":
			d.evidence(l, v, at)
		case "notify":
			d.notify(l, v, at)
		}
	})
	return l
}

// databases decodes the databases list.
func (d *yamlDecoder) databases(l *layer, n *yaml.Node, at string) {
	l.databases = setAt([]databaseLayer{}, at)
	if isNull(n) || !d.usable(n, at) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.p.add(at, "must be a list (write databases: [{name: app, adapter: postgres, url: ...}])")
		return
	}
	for i, item := range n.Content {
		dat := indexPath(at, i)
		db := databaseLayer{at: dat}
		if isNull(item) {
			d.p.add(dat, "empty entry (write {name: app, adapter: postgres, url: ...})")
			continue
		}
		d.fields(item, dat, []string{"name", "adapter", "url", "path", "database", "password"}, func(key string, v *yaml.Node, at string) {
			switch key {
			case "name":
				db.name = d.str(v, at)
			case "adapter":
				db.adapter = d.str(v, at)
			case "url":
				db.url = d.source(v, at, databaseURLKinds)
			case "path", "database":
				if db.path.set {
					d.p.add(at, "write only one of path and database (both give the SQLite file)")
				}
				db.path = d.str(v, at)
			case "password":
				db.password = d.source(v, at, databasePasswordKinds)
			}
		})
		if item.Kind == yaml.MappingNode {
			l.databases.v = append(l.databases.v, db)
		}
	}
}

// paths decodes the paths list: each entry a path or {path, exclude,
// allow_suspicious}. A single value is a list of one, null the empty list.
func (d *yamlDecoder) paths(l *layer, n *yaml.Node, at string) {
	l.paths, l.pathsAt = setAt([]PathConfig{}, at), nil
	if isNull(n) || !d.usable(n, at) {
		return
	}
	items, indexed := []*yaml.Node{n}, false
	if n.Kind == yaml.SequenceNode {
		items, indexed = n.Content, true
	}
	for i, item := range items {
		pat := at
		if indexed {
			pat = indexPath(at, i)
		}
		var pc PathConfig
		switch {
		case isNull(item) || !d.usable(item, pat):
			if isNull(item) {
				d.p.add(pat, "empty path (remove it or write one)")
			}
			continue
		case item.Kind == yaml.MappingNode:
			hasPath := false
			d.fields(item, pat, []string{"path", "exclude", "allow_suspicious"}, func(key string, v *yaml.Node, at string) {
				switch key {
				case "path":
					s := d.str(v, at)
					pc.Path, hasPath = s.v, s.set
				case "exclude":
					pc.Exclude = d.list(v, at, "pattern", false).v
				case "allow_suspicious":
					pc.AllowSuspicious = d.boolean(v, at).v
				}
			})
			if !hasPath {
				d.p.add(childPath(pat, "path"), "missing (write path: /data/storage)")
				continue
			}
		case item.Kind == yaml.ScalarNode:
			pc.Path = item.Value
		default:
			d.p.add(pat, "must be a path or {path: PATH, exclude: [PATTERN, ...]}, not a list")
			continue
		}
		if strings.TrimSpace(pc.Path) == "" {
			d.p.add(pat, "empty path (remove it or write one)")
			continue
		}
		l.paths.v = append(l.paths.v, pc)
		l.pathsAt = append(l.pathsAt, pat)
	}
}

// restic decodes the restic section.
func (d *yamlDecoder) restic(l *layer, n *yaml.Node, at string) {
	known := []string{"repository", "repository_file", "password", "rest", "init_if_missing", "check_after_backup",
		"check_read_data_subset", "forget_after_backup", "retention"}
	var repoFile setting[source]
	d.fields(n, at, known, func(key string, v *yaml.Node, at string) {
		switch key {
		case "repository":
			l.repository = d.source(v, at, repositoryKinds)
		case "repository_file":
			if f := d.str(v, at); f.set {
				repoFile = setAt(source{Source: Source{At: at, File: f.v}}, at)
			}
		case "password":
			l.password = d.source(v, at, resticPasswordKinds)
		case "rest":
			d.fields(v, at, []string{"username", "user", "password"}, func(key string, v *yaml.Node, at string) {
				if key == "password" {
					l.restPassword = d.source(v, at, restPasswordKinds)
				} else {
					l.restUsername = d.source(v, at, restUsernameKinds)
				}
			})
		case "init_if_missing":
			l.initIfMissing = d.boolean(v, at)
		case "check_after_backup":
			l.checkAfterBackup = d.boolean(v, at)
		case "check_read_data_subset":
			l.checkSubset = d.str(v, at)
		case "forget_after_backup":
			l.forgetAfterBackup = d.boolean(v, at)
		case "retention":
			d.retention(l, v, at)
		}
	})
	if repoFile.set && l.repository.set {
		d.p.warn(repoFile.at, "ignored: restic.repository is set too")
	} else if repoFile.set {
		l.repository = repoFile
	}
}

// retention decodes restic.retention.
func (d *yamlDecoder) retention(l *layer, n *yaml.Node, at string) {
	var known []string
	for _, k := range keepNames {
		known = append(known, k.key)
	}
	known = append(known, withinNames[:]...)
	d.fields(n, at, known, func(key string, v *yaml.Node, at string) {
		for i, k := range keepNames {
			if k.key == key {
				l.keep[i] = d.count(v, at)
			}
		}
		for i, k := range withinNames {
			if k == key {
				l.within[i] = d.within(v, at)
			}
		}
	})
}

// evidence decodes the evidence section.
func (d *yamlDecoder) evidence(l *layer, n *yaml.Node, at string) {
	d.fields(n, at, []string{"rpo", "rto", "drill_max_age", "check_max_age"}, func(key string, v *yaml.Node, at string) {
		s := d.interval(v, at, false)
		switch key {
		case "rpo":
			l.rpo = s
		case "rto":
			l.rto = s
		case "drill_max_age":
			l.drillMaxAge = s
		case "check_max_age":
			l.checkMaxAge = s
		}
	})
}
