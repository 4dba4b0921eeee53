#!/usr/bin/env bash
# Moves every message of an error queue back to the queue it failed in, once the cause is fixed:
#
#   deploy/local/redrive.sh <queue>_error [vhost]        (make redrive QUEUE=<queue>_error)
#
# A RabbitMQ shovel moves them: each is acknowledged in <queue>_error only after the broker confirmed it in <queue>,
# so nothing is lost if anything stops midway, and the shovel deletes itself once it moved as many messages as the
# queue held when it started (a message that fails again returns to <queue>_error and stays there). Consumers
# recognise what they already applied, so a redrive is safe. The broker's management API comes from
# ROUTING_TEST_RABBITMQ_MANAGEMENT (.local/env, http://user:password@host:port/); on Kubernetes, port-forward the
# management port and set it, or use the rabbitmqctl command of deploy/README.md.
set -euo pipefail
error_queue=${1:?usage: redrive.sh <queue>_error [vhost]}
vhost=${2:-/}
[[ $error_queue == *_error ]] || { echo "redrive: $error_queue is not an error queue (<queue>_error)" >&2; exit 2; }
queue=${error_queue%_error}
management=${ROUTING_TEST_RABBITMQ_MANAGEMENT:?set ROUTING_TEST_RABBITMQ_MANAGEMENT (source .local/env)}
management=${management%/}
encoded_vhost=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$vhost")
api() { curl -fsS -H 'content-type: application/json' "$@"; }

api "$management/api/queues/$encoded_vhost/$error_queue" >/dev/null || { echo "redrive: there is no queue $error_queue" >&2; exit 1; }
api "$management/api/queues/$encoded_vhost/$queue" >/dev/null || { echo "redrive: there is no queue $queue to move them to" >&2; exit 1; }

# amqp:///<vhost> is a connection inside the broker to that virtual host.
uri="amqp:///$encoded_vhost"
api -X PUT "$management/api/parameters/shovel/$encoded_vhost/redrive-$queue" -d "{\"value\": {
  \"src-protocol\": \"amqp091\", \"src-uri\": \"$uri\", \"src-queue\": \"$error_queue\",
  \"dest-protocol\": \"amqp091\", \"dest-uri\": \"$uri\", \"dest-queue\": \"$queue\",
  \"ack-mode\": \"on-confirm\", \"src-delete-after\": \"queue-length\"}}" >/dev/null
echo "redrive: moving the messages of $error_queue back to $queue (as many as it holds now; see the broker's Shovel Status page)"
