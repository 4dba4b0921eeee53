-- Agents' tools beyond webhooks: Slack and email targets beside webhook ones, deliveries to them in order per
-- conversation, the thread each conversation opens in a tool, and the tool messages agents' replies came from.

alter table gateway_webhook_targets rename to gateway_targets;
alter table gateway_webhook_deliveries rename to gateway_deliveries;

alter table gateway_targets
    add column kind text not null default 'webhook' check (kind in ('webhook', 'slack', 'email')),
    -- slack: the channel (or the agent's user id, for the app's direct messages) to post to; email: the agent's mailbox
    add column address text,
    -- slack: the agent's own Slack user; only their thread replies and button presses act for the agent
    add column slack_user_id text,
    alter column url drop not null,
    alter column secret_ciphertext drop not null,
    add constraint gateway_targets_shape check (
        (kind = 'webhook' and url is not null and secret_ciphertext is not null)
        or (kind = 'slack' and address is not null and slack_user_id is not null)
        or (kind = 'email' and address is not null));

alter table gateway_deliveries
    -- Slack and email deliveries of one conversation go in order (a thread is opened before it is written to)
    add column conversation_id uuid,
    add column seq bigint generated always as identity;

create index gateway_deliveries_in_order on gateway_deliveries (target_id, conversation_id, seq) where status = 'pending';

create table gateway_threads (
    target_id uuid not null references gateway_targets (id),
    conversation_id uuid not null,
    -- slack: the channel the thread is in and the ts of its first message; email: the mailbox and the first mail's Message-ID
    channel text not null,
    thread_id text not null,
    -- email: the first mail's subject, which the later ones answer ("Re: …")
    subject text,
    created_at timestamptz not null default now(),
    primary key (target_id, conversation_id),
    unique (channel, thread_id)
);

create table gateway_tool_replies (
    -- an agent's reply (gateway_messages.id) written in a tool, and where: its statuses are shown on that message
    reply_id uuid primary key,
    target_id uuid not null references gateway_targets (id),
    channel text not null,
    message_ref text not null
);
