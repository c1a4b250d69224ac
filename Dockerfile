# syntax=docker/dockerfile:1
#
# The kamal-backup accessory image: a static kamal-backup binary on a small
# Debian with the database tools it drives. docs/GETTING_STARTED.md shows the
# Kamal accessory that runs it; docs/SECURITY.md explains the user it runs as.
#
#   docker build --build-arg VERSION=v1.2.3 -t ghcr.io/OWNER/kamal-backup:v1.2.3 .
#
# The runtime contract (the tools on PATH, the binary's flags, a backup into a
# local repository) is tested without Docker by scripts/image-smoke, and this
# file is linted by scripts/lint-dockerfile; go test ./internal/imagetest runs
# both.

# ---- build: a static binary, cross-compiled for the target platform ----------
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
      go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
        -o /out/kamal-backup ./cmd/kamal-backup \
 && go version -m /out/kamal-backup | grep -q 'CGO_ENABLED=0'

# ---- pgdg-key: the PostgreSQL apt repository's signing key -------------------
# Debian's postgresql-common package ships the key of apt.postgresql.org
# (fingerprint B97B0AFCAA1A47F044F244A07FCC7D46ACCC4CF8). apt-get download
# checks the package against Debian's signed archive, so the key arrives
# verified without curl, gpg or a key server; only the key file is kept.
FROM debian:bookworm-slim AS pgdg-key
WORKDIR /tmp/pgdg
RUN apt-get update \
 && apt-get download postgresql-common \
 && dpkg-deb -x postgresql-common_*.deb root \
 && install -D -m 0644 root/usr/share/postgresql-common/pgdg/apt.postgresql.org.gpg \
      /out/apt.postgresql.org.gpg \
 && rm -rf /var/lib/apt/lists/*

# ---- runtime -----------------------------------------------------------------
FROM debian:bookworm-slim

# PostgreSQL client majors installed from apt.postgresql.org, one per server
# major kamal-backup supports. pg_dump refuses servers newer than itself, so
# Debian's own postgresql-client (15 only) could not back up PostgreSQL 16,
# 17 or 18. The adapter picks /usr/lib/postgresql/<server major>/bin, else the
# newest newer client. Drop a major that apt.postgresql.org no longer carries
# with --build-arg PG_MAJORS="14 15 16 17 18".
ARG PG_MAJORS="13 14 15 16 17 18"

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

COPY --from=pgdg-key /out/apt.postgresql.org.gpg /usr/share/keyrings/apt.postgresql.org.gpg

# ca-certificates first: it lets apt reach apt.postgresql.org over HTTPS and
# kamal-backup reach S3, REST and rclone remotes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && printf '%s\n' \
      'Types: deb' \
      'URIs: https://apt.postgresql.org/pub/repos/apt' \
      'Suites: bookworm-pgdg' \
      'Components: main' \
      'Signed-By: /usr/share/keyrings/apt.postgresql.org.gpg' \
      >/etc/apt/sources.list.d/pgdg.sources \
 && pg_clients=() \
 && for major in $PG_MAJORS; do pg_clients+=("postgresql-client-$major"); done \
 && apt-get update \
 && apt-get install -y --no-install-recommends \
      mariadb-client \
      openssh-client \
      rclone \
      sqlite3 \
      tini \
      "${pg_clients[@]}" \
 && rm -rf /var/lib/apt/lists/* \
 && for major in $PG_MAJORS; do "/usr/lib/postgresql/$major/bin/pg_dump" --version; done

# The user the accessory runs as: uid and gid 1000, the owner of the files a
# Rails app's default Dockerfile writes to its storage volume. The state
# directory and the drill scratch directory (/restore) belong to it; /app is
# where Kamal mounts config/kamal-backup.yml, so the default relative config
# path works as in the Ruby image.
RUN groupadd --gid 1000 kamal-backup \
 && useradd --uid 1000 --gid 1000 --create-home --home-dir /home/kamal-backup \
      --shell /usr/sbin/nologin kamal-backup \
 && install -d -o 1000 -g 1000 -m 0700 /var/lib/kamal-backup \
 && install -d -o 1000 -g 1000 -m 0750 /restore /restore/files \
 && install -d -m 0755 /app/config

COPY --from=build /out/kamal-backup /usr/local/bin/kamal-backup

ARG VERSION=dev
# KAMAL_BACKUP_IN_ACCESSORY tells the Kamal bridge it already runs inside the
# accessory; KAMAL_BACKUP_IMAGE_VERSION is the image_version of the evidence.
ENV KAMAL_BACKUP_IN_ACCESSORY=1 \
    KAMAL_BACKUP_IMAGE_VERSION=$VERSION

LABEL org.opencontainers.image.title="kamal-backup" \
      org.opencontainers.image.description="Encrypted backups of PostgreSQL, MySQL/MariaDB, SQLite and files for Kamal apps, in restic-format repositories" \
      org.opencontainers.image.source="https://github.com/kamal-backup/kamal-backup" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version=$VERSION

RUN kamal-backup version

WORKDIR /app
USER 1000:1000
VOLUME /var/lib/kamal-backup

# tini is PID 1: it forwards SIGTERM from `docker stop` to kamal-backup and
# reaps the database tools' children. Arguments of `docker run IMAGE ...` go to
# kamal-backup; the default is the scheduler loop.
ENTRYPOINT ["tini", "--", "kamal-backup"]
CMD ["schedule"]
