-- The gateway's own view of the conversations routing gave to agents, built from routing's events (routing owns
-- the truth; this is what the agent API answers from), the messages in and out, and every event an agent was sent.

create table gateway_conversations (
    id uuid primary key,
    customer_id uuid not null,
    -- the agent the conversation is with (offered to, open with, or closed by); null while it waits for routing
    agent_id text,
    status text not null check (status in ('waiting', 'offered', 'open', 'closed')),
    channel text not null,
    channel_account text not null,
    customer_display_name text,
    -- what the agent is shown of the customer and of the routing decision (the conversation.assigned data)
    context jsonb not null default '{}',
    offer_expires_at timestamptz,
    -- the time of the routing event that set agent_id and status: an older event arriving late changes nothing
    state_at timestamptz not null,
    assigned_at timestamptz,
    closed_at timestamptz,
    closed_by text,
    close_reason text,
    updated_at timestamptz not null
);

create index gateway_conversations_agent on gateway_conversations (agent_id, status, updated_at desc);
create index gateway_conversations_customer on gateway_conversations (customer_id);

create table gateway_messages (
    -- inbound: routing's message id; outbound: the SendChannelMessage command id
    id uuid primary key,
    conversation_id uuid not null,
    customer_id uuid not null,
    direction text not null check (direction in ('in', 'out')),
    channel text not null,
    channel_account text not null,
    -- the customer's address: the sender of an inbound message, the recipient of a reply
    address_kind text not null,
    address_value text not null,
    display_name text,
    thread_key text,
    subject text,
    body text,
    attachments jsonb not null default '[]',
    provider_message_id text,
    reply_to_provider_message_id text,
    -- replies: who wrote it, and how far it got (requested, sent, delivered, read, failed)
    agent_id text,
    status text,
    error_code text,
    error_message text,
    -- inbound: the agent it was announced to (as message.received or inside conversation.assigned)
    announced_to text,
    at timestamptz not null,
    status_at timestamptz
);

create index gateway_messages_conversation on gateway_messages (conversation_id, at);
create index gateway_messages_customer_channel on gateway_messages (customer_id, channel, at desc) where direction = 'in';
create unique index gateway_messages_provider on gateway_messages (channel, provider_message_id) where direction = 'out' and provider_message_id is not null;
create index gateway_messages_recipient on gateway_messages (channel, channel_account, address_value, at) where direction = 'out';

-- A delivery status that arrived before the adapter's OutboundMessageSent told which reply the provider id is.
create table gateway_pending_statuses (
    channel text not null,
    provider_message_id text not null,
    status text not null,
    error_code text,
    occurred_at timestamptz not null,
    received_at timestamptz not null,
    primary key (channel, provider_message_id, status)
);

create table gateway_agent_events (
    -- the Last-Event-ID of GET /me/events
    seq bigserial primary key,
    id uuid not null unique,
    agent_id text not null,
    type text not null,
    -- the exact JSON the webhooks carry: {"type", "timestamp", "data"}
    body bytea not null,
    created_at timestamptz not null
);

create index gateway_agent_events_agent on gateway_agent_events (agent_id, seq);
