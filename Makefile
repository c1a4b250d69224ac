# Everyday commands. scripts/test is the source of truth for running the tests.

.PHONY: demo test tools bench fmt vet

# test runs every test, installing what the suite needs (see scripts/test).
test:
	scripts/test

# demo runs kamal-backup's main job on the bundled quickstart app (a SQLite
# database and files, a local repository under examples/quickstart/tmp):
# backup, list, check, a local restore drill and the evidence JSON.
demo:
	examples/quickstart/demo

# tools builds the pinned test oracles (restic, rest-server, versitygw) into .tools/bin.
tools:
	scripts/tools

# bench runs every benchmark once, with the pinned tools available.
bench:
	bin="$$(scripts/tools)" && KAMAL_BACKUP_TOOLS="$$bin" go test -run '^$$' -bench . -benchtime 1x -timeout 90m ./...

# fmt formats every Go file in the module.
fmt:
	gofmt -w .

# vet runs go vet on every package.
vet:
	go vet ./...
