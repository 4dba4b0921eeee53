#!/usr/bin/env bash
# Local RabbitMQ and PostgreSQL for `make run`, `make up` and `make test`.
#
#   infra.sh up     install what is missing, start both servers, create the database
#   infra.sh down   stop both servers (their data stays under .local/)
#   infra.sh env    print the connection settings as shell exports
#
# With a Docker engine answering, both run from deploy/local/compose.infra.yaml instead.
# Otherwise they run as project-local processes with their data under .local/ (git-ignored),
# so nothing touches a system-wide instance.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STATE=${ROUTING_LOCAL_DIR:-$ROOT/.local}
PG_PORT=${ROUTING_PG_PORT:-5432}
MQ_PORT=${ROUTING_MQ_PORT:-5672}
MQ_MGMT_PORT=${ROUTING_MQ_MGMT_PORT:-15672}
DB_NAME=routing
DB_USER=routing
DB_PASSWORD=routing

log() { printf '[infra] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

docker_engine() { command -v docker >/dev/null 2>&1 && timeout 5 docker info >/dev/null 2>&1; }

print_env() {
  cat <<ENV
export ROUTING_TEST_POSTGRES='Host=127.0.0.1;Port=$PG_PORT;Username=$DB_USER;Password=$DB_PASSWORD;Database=$DB_NAME'
export ROUTING_TEST_RABBITMQ='amqp://guest:guest@127.0.0.1:$MQ_PORT/'
export ROUTING_TEST_RABBITMQ_MANAGEMENT='http://guest:guest@127.0.0.1:$MQ_MGMT_PORT/'
ENV
}

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# PostgreSQL refuses to run as root; as root every server command runs as the postgres user.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_dir() {
  local dir=$STATE/postgres
  if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$dir"; chown postgres: "$dir"
    # The postgres user must reach the folder; a checkout under a private home may not allow it.
    if ! runuser -u postgres -- test -w "$dir"; then
      dir=/var/tmp/routing-postgres-$(printf '%s' "$ROOT" | sha1sum | cut -c1-10)
      mkdir -p "$dir"; chown postgres: "$dir"
    fi
  else
    mkdir -p "$dir"
  fi
  printf '%s' "$dir"
}

pg_up() {
  if [ -z "$(pg_bin)" ]; then
    log "installing PostgreSQL"; apt_install postgresql
    # The package may start its own cluster on 5432; this project runs its own server there.
    as_root service postgresql stop >/dev/null 2>&1 || true
  fi
  local bin dir data
  bin=$(pg_bin); dir=$(pg_dir); data=$dir/data
  if [ ! -s "$data/PG_VERSION" ]; then
    log "initialising PostgreSQL in $data"
    printf 'postgres\n' > "$dir/pwfile"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/pwfile"
    as_pg "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$dir/pwfile" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  fi
  if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    if port_busy "$PG_PORT"; then
      log "127.0.0.1:$PG_PORT is taken by another PostgreSQL; stop it or set ROUTING_PG_PORT"; exit 1
    fi
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_pg "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories='$dir' -c max_connections=400 -c shared_buffers=256MB -c shared_preload_libraries=pg_stat_statements" >/dev/null
  fi
  local psql=("$bin/psql" -h "$dir" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$(as_pg "${psql[@]}" -c "select 1 from pg_roles where rolname='$DB_USER'")" != 1 ]; then
    as_pg "${psql[@]}" -c "create role $DB_USER login createdb password '$DB_PASSWORD'"
  fi
  if [ "$(as_pg "${psql[@]}" -c "select 1 from pg_database where datname='$DB_NAME'")" != 1 ]; then
    as_pg "${psql[@]}" -c "create database $DB_NAME owner $DB_USER"
  fi
  # Per-statement timings for whoever investigates performance (select * from pg_stat_statements).
  as_pg "${psql[@]}" -d "$DB_NAME" -c "create extension if not exists pg_stat_statements" >/dev/null
}

pg_down() {
  local bin dir
  bin=$(pg_bin); [ -n "$bin" ] || return 0
  dir=$(pg_dir)
  [ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

MQ_BIN=/usr/lib/rabbitmq/bin
mq_env() {
  local base=$STATE/rabbitmq
  mkdir -p "$base/mnesia" "$base/log"
  # Debian's /usr/sbin wrapper drops the environment when run as root, so the scripts under
  # /usr/lib/rabbitmq/bin are called directly with this project's config and data folder.
  export HOME=$base RABBITMQ_HOME=/usr/lib/rabbitmq
  export RABBITMQ_NODENAME=routing@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$MQ_PORT
  export RABBITMQ_MNESIA_BASE=$base/mnesia RABBITMQ_LOG_BASE=$base/log
  export RABBITMQ_CONFIG_FILE=$base/rabbitmq RABBITMQ_ENABLED_PLUGINS_FILE=$base/enabled_plugins
  export RABBITMQ_PID_FILE=$base/rabbitmq.pid
  export RABBITMQ_DIST_PORT=$((MQ_PORT + 20000))
  cat > "$base/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$MQ_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MQ_MGMT_PORT
disk_free_limit.absolute = 100MB
log.console = false
log.file.level = warning
CONF
  echo '[rabbitmq_management].' > "$base/enabled_plugins"
}

mq_up() {
  if [ ! -x "$MQ_BIN/rabbitmq-server" ]; then
    log "installing RabbitMQ"; apt_install rabbitmq-server
    # The package may start a system broker on the same ports; this project runs its own.
    as_root service rabbitmq-server stop >/dev/null 2>&1 || true
  fi
  mq_env
  if "$MQ_BIN/rabbitmqctl" -q status >/dev/null 2>&1; then return 0; fi
  if port_busy "$MQ_PORT"; then
    log "127.0.0.1:$MQ_PORT is taken by another broker; stop it (service rabbitmq-server stop) or set ROUTING_MQ_PORT"; exit 1
  fi
  log "starting RabbitMQ on 127.0.0.1:$MQ_PORT (management on $MQ_MGMT_PORT)"
  nohup setsid "$MQ_BIN/rabbitmq-server" >"$STATE/rabbitmq/server.out" 2>&1 </dev/null &
  if ! "$MQ_BIN/rabbitmqctl" -q wait --timeout 90 "$RABBITMQ_PID_FILE" >/dev/null 2>&1; then
    log "RabbitMQ did not start; last lines of its output:"; tail -n 30 "$STATE/rabbitmq/server.out" >&2
    exit 1
  fi
  # The management listener comes up a moment after the node.
  for _ in $(seq 1 60); do
    curl -fsS -u guest:guest "http://127.0.0.1:$MQ_MGMT_PORT/api/overview" >/dev/null 2>&1 && return 0
    sleep 1
  done
  log "RabbitMQ management API did not answer"; exit 1
}

mq_down() {
  [ -x "$MQ_BIN/rabbitmqctl" ] || return 0
  mq_env
  # rabbitmqctl stop waits for the pid file's process; with no node running it would wait for ever.
  if [ -f "$RABBITMQ_PID_FILE" ] && kill -0 "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null; then
    timeout 120 "$MQ_BIN/rabbitmqctl" -q stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || true
  fi
}

compose() { docker compose -f "$ROOT/deploy/local/compose.infra.yaml" "$@"; }

case "${1:-}" in
  up)
    mkdir -p "$STATE"
    command -v curl >/dev/null 2>&1 || apt_install curl
    if docker_engine && [ -z "${ROUTING_NO_DOCKER:-}" ]; then
      log "Docker engine found: starting RabbitMQ and PostgreSQL with Docker Compose"
      compose up -d --wait
    else
      pg_up
      mq_up
    fi
    print_env > "$STATE/env"
    log "ready (settings in $STATE/env)"
    ;;
  down)
    if docker_engine && [ -z "${ROUTING_NO_DOCKER:-}" ]; then compose down; else mq_down; pg_down; fi
    ;;
  env) print_env ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
