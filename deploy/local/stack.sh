#!/usr/bin/env bash
# The services of the local stack as background processes (RabbitMQ and PostgreSQL come from infra.sh).
#   stack.sh up     start every service and wait until each answers /health/ready
#   stack.sh down   stop them
# Extra settings for the services can be given in the environment (e.g. Routing__HoldWait__whatsapp).
# Development secrets come from deploy/local/dev.env (dev-only, committed); each adapter's public base
# URL, which its signatures cover, is its own local address unless Webhooks__PublicBaseUrl is set.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STATE=${ROUTING_LOCAL_DIR:-$ROOT/.local}
CONFIG=${CONFIG:-Release}
# name, project folder, assembly, port
# (sandbox stands in for the providers' send APIs; dev.env points the adapters at it)
SERVICES=(
  "sandbox deploy/local/sandbox Routing.ProviderSandbox 5190"
  "routing services/Routing Routing 5080"
  "gateway services/AgentGateway Routing.AgentGateway 5090"
  "sms services/Adapters/Sms Routing.Adapters.Sms 5101"
  "facebook services/Adapters/Facebook Routing.Adapters.Facebook 5102"
  "whatsapp services/Adapters/WhatsApp Routing.Adapters.WhatsApp 5103"
  "twitter services/Adapters/Twitter Routing.Adapters.Twitter 5104"
  "email services/Adapters/Email Routing.Adapters.Email 5105"
)

log() { printf '[stack] %s\n' "$*" >&2; }

up() {
  mkdir -p "$STATE"
  set -a; source "$ROOT/deploy/local/dev.env"; set +a
  for entry in "${SERVICES[@]}"; do
    read -r name folder assembly port <<<"$entry"
    local pidfile=$STATE/$name.pid
    if curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && ! { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
      log "port $port already answers, but not a $name this script started: stop it first"; exit 1
    fi
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      log "$name already running (pid $(cat "$pidfile"))"
    else
      local dll=$ROOT/$folder/bin/$CONFIG/net10.0/$assembly.dll
      [ -f "$dll" ] || { log "$dll is missing: run make build"; exit 1; }
      # The child writes its own pid, then becomes the service (setsid may fork, so $! would be wrong).
      (cd "$(dirname "$dll")" && Urls="http://127.0.0.1:$port" PIDFILE="$pidfile" DLL="$dll" \
        Webhooks__PublicBaseUrl="${Webhooks__PublicBaseUrl:-http://127.0.0.1:$port}" \
        setsid bash -c 'echo $$ >"$PIDFILE"; exec dotnet "$DLL"' >"$STATE/$name.log" 2>&1 </dev/null &) >/dev/null 2>&1 </dev/null
      # (the launching subshell lets go of this script's output too, so `make up | tail` ends)
      for _ in $(seq 1 50); do [ -s "$pidfile" ] && break; sleep 0.1; done
      log "$name starting on http://127.0.0.1:$port (log: $STATE/$name.log)"
    fi
  done
  for entry in "${SERVICES[@]}"; do
    read -r name _ _ port <<<"$entry"
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
    read -r name _ _ _ <<<"$entry"
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

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
