# Which local instance infra.sh and stack.sh work on (sourced by both, after ROOT is set).
#
#   ROUTING_INSTANCE unset or "dev"   the user's instance (make up, make run): data under .local/, the
#                                     ports the README names (PostgreSQL 5432, RabbitMQ 5672, routing 5080, ...)
#   ROUTING_INSTANCE=test             make test's own instance, beside the user's: data under .local/test/,
#                                     every port 1000 higher (PostgreSQL 6432, RabbitMQ 6672, routing 6080, ...),
#                                     its own RabbitMQ node, Dovecot and Postfix
#   ROUTING_INSTANCE=chaos            make chaos's instance (deploy/local/chaos): data under .local/chaos/,
#                                     every port 2000 higher, its servers killed and restarted on purpose
#   ROUTING_INSTANCE=bench            make bench-e2e's instance (tests/Pipeline.Benchmarks): data under
#                                     .local/bench/, every port 3000 higher, started empty at every run
#
# They share no server, database, virtual host, mailbox or port, so make test can run while make up's
# stack keeps running, and never sees or touches its data. ROUTING_LOCAL_DIR and the ROUTING_*_PORT
# variables still override single settings.
case "${ROUTING_INSTANCE:-dev}" in
  dev) INSTANCE_TAG=; PORT_OFFSET=0; DEFAULT_STATE=$ROOT/.local ;;
  test) INSTANCE_TAG=-test; PORT_OFFSET=1000; DEFAULT_STATE=$ROOT/.local/test ;;
  chaos) INSTANCE_TAG=-chaos; PORT_OFFSET=2000; DEFAULT_STATE=$ROOT/.local/chaos ;;
  bench) INSTANCE_TAG=-bench; PORT_OFFSET=3000; DEFAULT_STATE=$ROOT/.local/bench ;;
  *) echo "ROUTING_INSTANCE must be dev, test, chaos or bench, not '$ROUTING_INSTANCE'" >&2; exit 2 ;;
esac
STATE=${ROUTING_LOCAL_DIR:-$DEFAULT_STATE}

# A port of this instance: the dev instance's port moved by the instance's offset.
instance_port() { echo $(($1 + PORT_OFFSET)); }

PG_PORT=${ROUTING_PG_PORT:-$(instance_port 5432)}
MQ_PORT=${ROUTING_MQ_PORT:-$(instance_port 5672)}
MQ_MGMT_PORT=${ROUTING_MQ_MGMT_PORT:-$(instance_port 15672)}
IMAP_PORT=${ROUTING_IMAP_PORT:-$(instance_port 3143)}
SMTP_PORT=${ROUTING_SMTP_PORT:-$(instance_port 2525)}
LMTP_PORT=${ROUTING_LMTP_PORT:-$(instance_port 2424)}
# Erlang's distribution listener of the instance's RabbitMQ node, and the node's name (epmd is shared).
MQ_DIST_PORT=$((MQ_PORT + 20000))
MQ_NODE=routing$INSTANCE_TAG@localhost

# The broker users of the local services (deploy/rabbitmq/definitions.json, loaded by infra.sh up; stack.sh logs each
# service in as its own) and their dev-only passwords.
MQ_DEFINITIONS=$ROOT/deploy/rabbitmq/definitions.json
mq_users() { grep -o '"user": *"[^"]*"' "$MQ_DEFINITIONS" | sed 's/.*"\([^"]*\)"$/\1/' | sort -u; }
mq_password() { printf 'dev-rabbitmq-%s' "$1"; }
