-- Standard Webhooks targets of agents' tools, and the deliveries to them with their retries.

create table gateway_webhook_targets (
    id uuid primary key,
    agent_id text not null,
    url text not null,
    -- the whsec_ signing secret, AES-GCM encrypted with Gateway:SecretKey (nonce | tag | ciphertext)
    secret_ciphertext bytea not null,
    enabled boolean not null default true,
    disabled_reason text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create index gateway_webhook_targets_agent on gateway_webhook_targets (agent_id) where enabled;

create table gateway_webhook_deliveries (
    -- webhook-id is "msg_" and this id: the same for every attempt
    id uuid primary key,
    target_id uuid not null references gateway_webhook_targets (id),
    -- the bus message the delivery comes from: a redelivered event queues nothing new
    source_message_id uuid not null,
    event_type text not null,
    -- the exact bytes signed and sent
    body bytea not null,
    status text not null check (status in ('pending', 'delivered', 'exhausted', 'abandoned')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null,
    last_status integer,
    last_error text,
    created_at timestamptz not null default now(),
    delivered_at timestamptz,
    unique (source_message_id, target_id)
);

create index gateway_webhook_deliveries_due on gateway_webhook_deliveries (next_attempt_at) where status = 'pending';
create index gateway_webhook_deliveries_exhausted on gateway_webhook_deliveries (created_at) where status = 'exhausted';
