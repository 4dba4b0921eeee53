#!/usr/bin/env bash
# The services of the local stack as background processes (RabbitMQ and PostgreSQL come from infra.sh).
#   stack.sh up     start every service and wait until each answers /health/ready
#   stack.sh down   stop them
#   stack.sh ports  print each service's name and port
# Extra settings for the services can be given in the environment (e.g. Routing__HoldWait__whatsapp);
# SECOND_REPLICAS="routing email" adds a second replica of those (routing-2, email-2), which `down` also stops. A setting given as
# STACK_<setting> (e.g. STACK_RabbitMq__Url) wins over the instance's own, for the services this call starts.
# ROUTING_INSTANCE=test runs make test's own instance instead of the user's (deploy/local/instance.sh): the
# same services on ports 1000 higher, on that instance's servers. Either way the services' addresses are
# written to $STATE/stack.env (ROUTING_URL, SMS_ADAPTER_URL, ...) for the demo and the end-to-end tests.
# Development secrets come from deploy/local/dev.env (dev-only, committed); each adapter's public base
# URL, which its signatures cover, is its own local address unless Webhooks__PublicBaseUrl is set.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/deploy/local/instance.sh"
CONFIG=${CONFIG:-Release}
# name, project folder, assembly, port (of the dev instance), variable of its address in stack.env, the broker user it
# logs in as (deploy/rabbitmq/definitions.json; its least permissions, loaded by infra.sh up)
# (sandbox stands in for the providers' send APIs; dev.env points the adapters at it)
SERVICES=(
  "sandbox deploy/local/sandbox Routing.ProviderSandbox 5190 PROVIDER_SANDBOX_URL -"
  "routing services/Routing Routing 5080 ROUTING_URL routing"
  "gateway services/AgentGateway Routing.AgentGateway 5090 GATEWAY_URL agent-gateway"
)
# one adapter per channel of deploy/channels.tsv, logged in to the broker as adapter-<channel>
while IFS=$'\t' read -r channel folder assembly port _; do
  [[ -z "$channel" || "$channel" == \#* ]] && continue
  SERVICES+=("$channel $folder $assembly $port ${channel^^}_ADAPTER_URL adapter-$channel")
done < "$ROOT/deploy/channels.tsv"
# Second replicas, started when SECOND_REPLICAS names them (make chaos races two routing replicas on one database, and
# two email adapters on one mailbox); `down` stops whichever is running.
SECOND=(
  "routing-2 services/Routing Routing 5081 ROUTING_2_URL routing"
  "email-2 services/Adapters/Email Routing.Adapters.Email 5106 EMAIL_2_ADAPTER_URL adapter-email"
)
for entry in "${SECOND[@]}"; do
  read -r name _ <<<"$entry"
  if [[ " ${SECOND_REPLICAS:-} " == *" ${name%-2} "* ]] || { [ "${1:-}" = down ] && [ -f "$STATE/$name.pid" ]; }; then
    SERVICES+=("$entry")
  fi
done

# The settings that name this instance's servers and sandbox; dev.env holds the dev instance's, the same values
# when the offset is 0.
instance_settings() {
  local sandbox; sandbox=http://127.0.0.1:$(instance_port 5190)
  export ConnectionStrings__Routing="Host=127.0.0.1;Port=$PG_PORT;Username=routing;Password=routing;Database=routing;Maximum Pool Size=64"
  export ConnectionStrings__Gateway="Host=127.0.0.1;Port=$PG_PORT;Username=routing;Password=routing;Database=gateway;Maximum Pool Size=64"
  export RabbitMq__Url="amqp://guest:guest@127.0.0.1:$MQ_PORT/"
  # each adapter's provider API at the sandbox (channels.tsv's fifth column: the setting, and the sandbox's path for it)
  local channel api
  while IFS=$'\t' read -r channel _ _ _ api; do
    [[ -z "$channel" || "$channel" == \#* || -z "$api" || "$api" == - ]] && continue
    [[ "$api" == *=* ]] && export "${api%%=*}=$sandbox${api#*=}" || export "$api=$sandbox"
  done < "$ROOT/deploy/channels.tsv"
  export Gateway__Media__TelegramApiBaseUrl=$sandbox/telegram
  # routing's export joins the gateway's part (its admin API, with the admin token of dev.env)
  export Routing__DataRights__GatewayUrl=http://127.0.0.1:$(instance_port 5090) Routing__DataRights__GatewayAdminToken="${Gateway__AdminToken:-}"
  export Gateway__Slack__ApiUrl=$sandbox/slack/api/ Gateway__Media__TwilioApiBaseUrl=$sandbox Gateway__Media__GraphApiBaseUrl=$sandbox Gateway__Media__TwitterApiBaseUrl=$sandbox
  export Email__Imap__Port=$IMAP_PORT Email__Smtp__Port=$SMTP_PORT Gateway__Email__Imap__Port=$IMAP_PORT Gateway__Email__Smtp__Port=$SMTP_PORT
}

log() { printf '[stack] %s\n' "$*" >&2; }

up() {
  mkdir -p "$STATE"
  set -a; source "$ROOT/deploy/local/dev.env"; set +a
  instance_settings
  local override
  for override in $(compgen -e | grep '^STACK_' || true); do export "${override#STACK_}=${!override}"; done
  : > "$STATE/stack.env"
  for entry in "${SERVICES[@]}"; do
    read -r name folder assembly port variable mq_user <<<"$entry"
    port=$(instance_port "$port")
    echo "export $variable=http://127.0.0.1:$port" >> "$STATE/stack.env"
    local pidfile=$STATE/$name.pid
    if curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && ! { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
      log "port $port already answers, but not a $name this script started: stop it first"; exit 1
    fi
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      log "$name already running (pid $(cat "$pidfile"))"
    else
      local dll=$ROOT/$folder/bin/$CONFIG/net10.0/$assembly.dll
      [ -f "$dll" ] || { log "$dll is missing: run make build"; exit 1; }
      # A small supervisor (setsid may fork, so $! would be wrong) starts the service and writes its pid; it starts it
      # again when it exits with 75, which the bus watchdog uses for a wedged broker connection (services/ServiceDefaults,
      # BusWatchdog), as Kubernetes and Docker would. Any other exit (a stop, a kill) ends the supervisor too.
      # The SMS and X adapters spool what the broker cannot take (their providers do not retry): each replica its own
      # folder of the instance; the others answer 503 and their providers retry. The email adapter keeps customers'
      # attachments for the gateway in a folder of its own too (the others ignore the setting).
      local spool=""; case $name in sms*|twitter*) spool=$STATE/spool/$name ;; esac
      (cd "$(dirname "$dll")" && Urls="http://127.0.0.1:$port" PIDFILE="$pidfile" DLL="$dll" \
        RabbitMq__Username="${RabbitMq__Username:-$mq_user}" RabbitMq__Password="${RabbitMq__Password:-$(mq_password "$mq_user")}" \
        Webhooks__PublicBaseUrl="${Webhooks__PublicBaseUrl:-http://127.0.0.1:$port}" \
        Webhooks__Spool__Directory="$spool" Email__Files__Directory="$STATE/files/$name" \
        setsid bash -c 'while :; do dotnet "$DLL" & echo $! >"$PIDFILE"; wait $!; rc=$?; [ $rc -eq 75 ] || exit $rc; echo "[stack] restarting after exit 75"; done' \
        >>"$STATE/$name.log" 2>&1 </dev/null &) >/dev/null 2>&1 </dev/null
      # (the launching subshell lets go of this script's output too, so `make up | tail` ends)
      for _ in $(seq 1 50); do [ -s "$pidfile" ] && break; sleep 0.1; done
      log "$name starting on http://127.0.0.1:$port (log: $STATE/$name.log)"
    fi
  done
  for entry in "${SERVICES[@]}"; do
    read -r name _ _ port _ <<<"$entry"
    port=$(instance_port "$port")
    for i in $(seq 1 120); do
      if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then log "$name is ready"; break; fi
      if ! kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null; then log "$name exited; last lines of its log:"; tail -n 20 "$STATE/$name.log" >&2; exit 1; fi
      [ "$i" -eq 120 ] && { log "$name did not become ready in 60 s"; exit 1; }
      sleep 0.5
    done
  done
}

down() {
  for entry in "${SERVICES[@]}"; do
    read -r name _ _ _ _ <<<"$entry"
    local pidfile=$STATE/$name.pid
    if [ -f "$pidfile" ]; then
      local pid; pid=$(cat "$pidfile")
      if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"; for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        log "$name stopped"
      fi
      rm -f "$pidfile"
    fi
  done
}

ports() {
  for entry in "${SERVICES[@]}"; do
    read -r name _ _ port _ <<<"$entry"
    echo "$name $(instance_port "$port")"
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  ports) ports ;;
  *) echo "usage: $0 up|down|ports" >&2; exit 2 ;;
esac
