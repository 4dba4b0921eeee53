#!/usr/bin/env bash
# Local RabbitMQ, PostgreSQL and mail servers for `make run`, `make up` and `make test`.
#
#   infra.sh up     install what is missing, start the servers, create the database and mailboxes
#   infra.sh down   stop the servers (their data stays under .local/)
#   infra.sh reset  stop the servers and delete their data (make test starts its instance empty this way)
#   infra.sh env    print the connection settings as shell exports
#   infra.sh describe   print the instance's data folder, RabbitMQ node and every port its servers listen on
#   infra.sh kill postgres|rabbitmq|dovecot   kill the server with SIGKILL, as a crash would (make chaos); `up` starts it again
#   infra.sh stop postgres|rabbitmq|dovecot stop the server cleanly (a restart, with `up` after)
#   infra.sh fill|free postgres   fill PostgreSQL's disk and free it again (needs ROUTING_PG_DISK_MB at the first `up`)
#
# ROUTING_INSTANCE=test (or chaos) works on make test's (make chaos's) own instance instead of the user's (deploy/local/instance.sh).
#
# With a Docker engine answering, RabbitMQ and PostgreSQL run from deploy/local/compose.infra.yaml
# instead. Otherwise they run as project-local processes with their data under .local/ (git-ignored),
# so nothing touches a system-wide instance. The mail servers (Dovecot for IMAP, Postfix for SMTP,
# delivering into Dovecot over LMTP) always run as project-local processes on loopback ports.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# STATE and the ports of this instance
source "$ROOT/deploy/local/instance.sh"
# Every local mailbox has this dev-only password (support@, agents@ and customer@ on example.com, and any other).
MAIL_PASSWORD=dev-mail-password
DB_NAME=routing
GATEWAY_DB_NAME=gateway
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
export ROUTING_TEST_IMAP='imap://127.0.0.1:$IMAP_PORT'
export ROUTING_TEST_SMTP='smtp://127.0.0.1:$SMTP_PORT'
export ROUTING_TEST_MAIL_PASSWORD='$MAIL_PASSWORD'
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
      dir=/var/tmp/routing-postgres-$(printf '%s' "$ROOT" | sha1sum | cut -c1-10)$INSTANCE_TAG
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
  # ROUTING_PG_DISK_MB (make chaos): the data folder on a disk of its own of that size, a tmpfs, so that a fault can
  # fill it (infra.sh fill postgres) without touching the machine's disk.
  if [ -n "${ROUTING_PG_DISK_MB:-}" ] && ! mountpoint -q "$data"; then
    mkdir -p "$data"
    as_root mount -t tmpfs -o "size=${ROUTING_PG_DISK_MB}m,mode=0700" tmpfs "$data"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$data"
  fi
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
  # routing's database, and the agent gateway's (each service owns its tables)
  for db in "$DB_NAME" "$GATEWAY_DB_NAME"; do
    if [ "$(as_pg "${psql[@]}" -c "select 1 from pg_database where datname='$db'")" != 1 ]; then
      as_pg "${psql[@]}" -c "create database $db owner $DB_USER"
    fi
  done
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
  export RABBITMQ_NODENAME=$MQ_NODE RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$MQ_PORT
  export RABBITMQ_MNESIA_BASE=$base/mnesia RABBITMQ_LOG_BASE=$base/log
  export RABBITMQ_CONFIG_FILE=$base/rabbitmq RABBITMQ_ENABLED_PLUGINS_FILE=$base/enabled_plugins
  export RABBITMQ_PID_FILE=$base/rabbitmq.pid
  export RABBITMQ_DIST_PORT=$MQ_DIST_PORT
  cat > "$base/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$MQ_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $MQ_MGMT_PORT
disk_free_limit.absolute = 100MB
log.console = false
log.file.level = warning
CONF
  # the shovel moves error queues back (deploy/local/redrive.sh)
  echo '[rabbitmq_management,rabbitmq_shovel,rabbitmq_shovel_management].' > "$base/enabled_plugins"
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

# The broker's users, permissions, policies and dead-letter queue, from deploy/rabbitmq/definitions.json (which
# Kubernetes declares through the Messaging Topology Operator, deploy/k8s/infrastructure/rabbitmq-topology.yaml): every
# service logs in as its own user with only the permissions it needs (stack.sh). The definitions name each user in its
# permissions only: each is created (or its password set again) with its dev-only password first (mq_password in
# instance.sh), since an import would leave a user it creates without a known password and clear an existing one's.
# guest stays the administrator, on loopback only, for the tests and the management UI.
mq_topology() {
  local api=http://127.0.0.1:$MQ_MGMT_PORT/api user
  for user in $(mq_users); do
    curl -fsS -u guest:guest -H 'content-type: application/json' -X PUT "$api/users/$user" \
      -d "{\"password\":\"$(mq_password "$user")\",\"tags\":\"\"}" >/dev/null
  done
  curl -fsS -u guest:guest -H 'content-type: application/json' -X POST "$api/definitions" --data-binary @"$MQ_DEFINITIONS" >/dev/null \
    || { log "RabbitMQ refused $MQ_DEFINITIONS"; exit 1; }
}

mq_down() {
  [ -x "$MQ_BIN/rabbitmqctl" ] || return 0
  mq_env
  # rabbitmqctl stop waits for the pid file's process; with no node running it would wait for ever.
  if [ -f "$RABBITMQ_PID_FILE" ] && kill -0 "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null; then
    timeout 120 "$MQ_BIN/rabbitmqctl" -q stop "$RABBITMQ_PID_FILE" >/dev/null 2>&1 || true
  fi
}

# Mail: Dovecot serves IMAP (plain login on loopback, any user@domain with the dev password, Maildir),
# Postfix accepts SMTP for example.com/example.net/example.org and delivers into Dovecot over LMTP.
mail_dir() {
  local dir=$STATE/mail
  mkdir -p "$dir"
  # Dovecot writes mail as the mail user, which must reach the folder.
  if [ "$(id -u)" -eq 0 ] && ! runuser -u mail -- test -x "$dir" 2>/dev/null; then
    dir=/var/tmp/routing-mail-$(printf '%s' "$ROOT" | sha1sum | cut -c1-10)$INSTANCE_TAG
    mkdir -p "$dir"
  fi
  printf '%s' "$dir"
}

mail_up() {
  if ! command -v dovecot >/dev/null 2>&1 || [ ! -x /usr/lib/dovecot/lmtp ] || ! command -v postfix >/dev/null 2>&1; then
    log "installing Dovecot and Postfix"
    as_root debconf-set-selections <<<"postfix postfix/main_mailer_type select No configuration" 2>/dev/null || true
    apt_install dovecot-imapd dovecot-lmtpd postfix
    # The packages may start system instances on 25/143; this project runs its own on other ports.
    as_root service dovecot stop >/dev/null 2>&1 || true
    as_root service postfix stop >/dev/null 2>&1 || true
  fi
  local dir; dir=$(mail_dir)
  mkdir -p "$dir/dovecot/run" "$dir/dovecot/state" "$dir/boxes" "$dir/postfix/etc" "$dir/postfix/data" "$dir/postfix/spool"
  chown mail:mail "$dir/boxes"
  chown postfix: "$dir/postfix/data"
  cat > "$dir/dovecot/dovecot.conf" <<CONF
protocols = imap lmtp
listen = 127.0.0.1
base_dir = $dir/dovecot/run
state_dir = $dir/dovecot/state
log_path = $dir/dovecot/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 8
passdb {
  driver = static
  args = password=$MAIL_PASSWORD
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$dir/boxes/%Lu
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
protocol imap {
  mail_max_userip_connections = 200
}
protocol lmtp {
  postmaster_address = postmaster@example.com
}
CONF
  if ! { [ -f "$dir/dovecot/run/master.pid" ] && kill -0 "$(cat "$dir/dovecot/run/master.pid")" 2>/dev/null; }; then
    if port_busy "$IMAP_PORT"; then log "127.0.0.1:$IMAP_PORT is taken; stop it or set ROUTING_IMAP_PORT"; exit 1; fi
    log "starting Dovecot (IMAP) on 127.0.0.1:$IMAP_PORT"
    as_root dovecot -c "$dir/dovecot/dovecot.conf" </dev/null >/dev/null 2>&1
  fi

  local pf=$dir/postfix
  cat > "$pf/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $pf/spool
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.example.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = example.com example.net example.org
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
maillog_file = $pf/postfix.log
# Mail Dovecot could not take (down, restarting) is tried again within seconds, not Postfix's default 5 minutes.
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 30s
maillog_file_prefixes = $pf
biff = no
# For the email adapter's tests: mail to undeliverable.example.org bounces back to its sender (a real
# RFC 3464 report), and refused@example.net is refused at RCPT with a 5xx.
smtpd_reject_unlisted_recipient = no
transport_maps = inline:{ { undeliverable.example.org = error:5.1.1 The email account that you tried to reach does not exist } }
smtpd_recipient_restrictions = check_recipient_access inline:{ { refused@example.net = 550 5.1.1 Recipient refused for the test } }, permit_mynetworks, reject_unauth_destination
# The stand-in for a receiving MX that checks SPF, DKIM and DMARC: it vouches for mail submitted on this machine in an
# Authentication-Results header under its authserv-id, mail.example.test, which dev.env trusts. A real MX writes
# what it found (Postfix with OpenDKIM and OpenDMARC, or the provider's own), and removes such headers from incoming mail.
smtpd_data_restrictions = check_client_access inline:{ { 127.0.0.1 = PREPEND Authentication-Results: mail.example.test; dmarc=pass (local submission) } }
CONF
  cat > "$pf/etc/master.cf" <<CONF
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
pickup     unix  n - n 60 1 pickup
cleanup    unix  n - n - 0 cleanup
qmgr       unix  n - n 300 1 qmgr
rewrite    unix  - - n - - trivial-rewrite
bounce     unix  - - n - 0 bounce
defer      unix  - - n - 0 bounce
trace      unix  - - n - 0 bounce
verify     unix  - - n - 1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n - - proxymap
proxywrite unix  - - n - 1 proxymap
smtp       unix  - - n - - smtp
relay      unix  - - n - - smtp
showq      unix  n - n - - showq
error      unix  - - n - - error
retry      unix  - - n - - error
discard    unix  - - n - - discard
lmtp       unix  - - n - - lmtp
anvil      unix  - - n - 1 anvil
scache     unix  - - n - 1 scache
postlog    unix-dgram n - n - 1 postlogd
CONF
  if as_root postfix -c "$pf/etc" status >/dev/null 2>&1; then
    as_root postfix -c "$pf/etc" reload >/dev/null 2>&1 || true
  else
    if port_busy "$SMTP_PORT"; then log "127.0.0.1:$SMTP_PORT is taken; stop it or set ROUTING_SMTP_PORT"; exit 1; fi
    log "starting Postfix (SMTP) on 127.0.0.1:$SMTP_PORT"
    as_root postfix -c "$pf/etc" check >/dev/null 2>&1 || true
    # Postfix reports start-up errors to syslog or a terminal only: script(1) gives it one.
    if ! script -qec "postfix -c '$pf/etc' start" "$pf/start.out" >/dev/null 2>&1; then
      log "Postfix did not start:"; tail -n 5 "$pf/start.out" >&2; exit 1
    fi
  fi
  for _ in $(seq 1 50); do port_busy "$SMTP_PORT" && port_busy "$IMAP_PORT" && return 0; sleep 0.2; done
  log "the mail servers did not open $IMAP_PORT and $SMTP_PORT"; exit 1
}

mail_down() {
  local dir; dir=$(mail_dir)
  if [ -f "$dir/postfix/etc/main.cf" ]; then as_root postfix -c "$dir/postfix/etc" stop >/dev/null 2>&1 || true; fi
  if [ -f "$dir/dovecot/dovecot.conf" ]; then as_root doveadm -c "$dir/dovecot/dovecot.conf" stop >/dev/null 2>&1 || true; fi
}

# One compose project per instance (the dev instance keeps compose's default name), on the instance's ports.
compose() {
  PG_PORT=$PG_PORT MQ_PORT=$MQ_PORT MQ_MGMT_PORT=$MQ_MGMT_PORT \
    docker compose ${INSTANCE_TAG:+-p "local$INSTANCE_TAG"} -f "$ROOT/deploy/local/compose.infra.yaml" "$@"
}

down() {
  mail_down
  if docker_engine && [ -z "${ROUTING_NO_DOCKER:-}" ]; then compose down "$@"; else mq_down; pg_down; fi
  # a data folder on a tmpfs of its own (ROUTING_PG_DISK_MB) holds memory until it is unmounted; its data goes with it
  if [ -n "$(pg_bin)" ] && mountpoint -q "$(pg_dir)/data"; then as_root umount "$(pg_dir)/data"; fi
}

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
    mq_topology
    mail_up
    print_env > "$STATE/env"
    log "ready (settings in $STATE/env)"
    ;;
  down) down ;;
  reset)
    down --volumes
    # the data folders, wherever pg_dir and mail_dir put them
    rm -rf "$STATE/rabbitmq" "$STATE/env"
    if [ -n "$(pg_bin)" ]; then
      mountpoint -q "$(pg_dir)/data" && as_root umount "$(pg_dir)/data"
      rm -rf "$(pg_dir)"
    fi
    rm -rf "$(mail_dir)"
    log "stopped, data deleted ($STATE)"
    ;;
  env) print_env ;;
  describe)
    printf '%s %s\n' state "$STATE" node "$MQ_NODE" postgres "$PG_PORT" rabbitmq "$MQ_PORT" rabbitmq-management "$MQ_MGMT_PORT" \
      rabbitmq-distribution "$MQ_DIST_PORT" imap "$IMAP_PORT" smtp "$SMTP_PORT" lmtp "$LMTP_PORT"
    ;;
  kill|stop)
    # the mail servers are local processes either way
    if [ "${2:-}" != dovecot ] && docker_engine && [ -z "${ROUTING_NO_DOCKER:-}" ]; then
      service=${2:-}; [ "$service" = rabbitmq ] || service=postgres
      [ "$1" = kill ] && compose kill -s KILL "$service" || compose stop "$service"
      exit 0
    fi
    case "${2:-}" in
      postgres)
        if [ "$1" = kill ]; then
          pidfile=$(pg_dir)/data/postmaster.pid
          if [ -f "$pidfile" ]; then
            pid=$(head -n 1 "$pidfile"); children=$(pgrep -P "$pid" || true)
            kill -KILL "$pid" 2>/dev/null || true
            # its backends leave once they see the postmaster gone; until then the server cannot start again
            for _ in $(seq 1 100); do
              alive=0; for child in $children; do kill -0 "$child" 2>/dev/null && alive=1; done
              [ $alive -eq 0 ] && break; sleep 0.1
            done
          fi
        else
          pg_down
        fi ;;
      rabbitmq)
        mq_env
        if [ "$1" = kill ]; then
          [ -f "$RABBITMQ_PID_FILE" ] && kill -KILL "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null || true
          for _ in $(seq 1 50); do port_busy "$MQ_PORT" || break; sleep 0.1; done
        else
          mq_down
        fi ;;
      dovecot)
        dir=$(mail_dir); pidfile=$dir/dovecot/run/master.pid
        if [ "$1" = kill ]; then
          if [ -f "$pidfile" ]; then
            pid=$(cat "$pidfile"); children=$(pgrep -P "$pid" || true)
            kill -KILL "$pid" $children 2>/dev/null || true
            rm -f "$pidfile"
          fi
        else
          as_root doveadm -c "$dir/dovecot/dovecot.conf" stop >/dev/null 2>&1 || true
        fi
        for _ in $(seq 1 50); do port_busy "$IMAP_PORT" || break; sleep 0.1; done ;;
      *) echo "usage: $0 $1 postgres|rabbitmq|dovecot" >&2; exit 2 ;;
    esac
    log "$2: $1 done"
    ;;
  fill|free)
    # A full disk under PostgreSQL (make chaos): `fill postgres` takes all of the data folder's own disk
    # (ROUTING_PG_DISK_MB), `free postgres` gives it back.
    [ "${2:-}" = postgres ] || { echo "usage: $0 $1 postgres" >&2; exit 2; }
    data=$(pg_dir)/data
    mountpoint -q "$data" || { log "$data is not on a disk of its own: start the instance with ROUTING_PG_DISK_MB set"; exit 1; }
    if [ "$1" = fill ]; then
      free=$(df --output=avail -B1 "$data" | tail -n 1)
      # PostgreSQL keeps writing meanwhile: most of it at once, with room to spare, then the rest by writing until
      # the disk refuses
      [ "$free" -gt 67108864 ] && { as_root fallocate -l $((free - 67108864)) "$data/ballast" || true; }
      as_root dd if=/dev/zero of="$data/ballast.rest" bs=4k status=none 2>/dev/null || true
    else
      as_root rm -f "$data/ballast" "$data/ballast.rest"
    fi
    log "postgres: disk $1 done ($(df --output=avail -h "$data" | tail -n 1 | tr -d ' ') free)"
    ;;
  *) echo "usage: $0 up|down|reset|env|describe|kill|stop|fill|free" >&2; exit 2 ;;
esac
