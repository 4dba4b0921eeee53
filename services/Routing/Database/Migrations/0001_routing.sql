-- People: a customer is a person; an identity is one of their addresses.
create table customers (
    id uuid primary key,
    display_name text,
    created_at timestamptz not null,
    -- set while this customer is merged into another; unmerge clears it
    merged_into uuid references customers (id)
);
create index customers_merged_into on customers (merged_into) where merged_into is not null;

create table identities (
    kind text not null,
    value text not null,
    -- deferred: a new address inserts its identity first, so two racing first messages of one
    -- person collide on the primary key and only one creates the customer
    customer_id uuid not null references customers (id) deferrable initially deferred,
    display_name text,
    created_at timestamptz not null,
    primary key (kind, value)
);
create index identities_customer on identities (customer_id);

create table customer_merges (
    id uuid primary key,
    survivor_id uuid not null references customers (id),
    merged_id uuid not null references customers (id),
    moved_identities jsonb not null,
    repointed_customers uuid[] not null,
    merged_at timestamptz not null,
    unmerged_at timestamptz
);
create index customer_merges_survivor on customer_merges (survivor_id, merged_at desc) where unmerged_at is null;

create table agents (
    id text primary key,
    name text not null,
    capacity int not null check (capacity >= 0),
    channels text[] not null,
    requires_accept boolean not null default false,
    presence text not null check (presence in ('available', 'away', 'offline')),
    presence_changed_at timestamptz not null,
    -- conversations assigned or offered to the agent; changed only by guarded updates
    open_count int not null default 0 check (open_count >= 0),
    last_assigned_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index agents_fallback on agents (open_count, last_assigned_at nulls first, id) where presence = 'available';

create table preferred_agents (
    customer_id uuid not null references customers (id),
    agent_id text not null references agents (id) on delete cascade,
    position int not null,
    primary key (customer_id, agent_id)
);

create table agent_history (
    customer_id uuid not null references customers (id),
    agent_id text not null references agents (id) on delete cascade,
    last_handled_at timestamptz not null,
    primary key (customer_id, agent_id)
);

create table conversations (
    id uuid primary key,
    customer_id uuid not null references customers (id),
    channel text not null,
    channel_account text not null,
    thread_key text,
    status text not null check (status in ('open', 'held', 'queued', 'closed')),
    agent_id text references agents (id),
    priority int not null default 0,
    held_for text[] not null default '{}',
    hold_until timestamptz,
    excluded_agents text[] not null default '{}',
    offer_expires_at timestamptz,
    accepted_at timestamptz,
    created_at timestamptz not null,
    waiting_since timestamptz,
    assigned_at timestamptz,
    closed_at timestamptz,
    closed_by text,
    close_reason text,
    last_message_at timestamptz not null,
    -- open has an agent; waiting has none; closed keeps the agent who had it
    check (status <> 'open' or agent_id is not null),
    check (status not in ('held', 'queued') or agent_id is null)
);
-- at most one conversation that is not closed per customer
create unique index conversations_one_open_per_customer on conversations (customer_id) where status <> 'closed';
create index conversations_by_agent on conversations (agent_id) where status = 'open';
create index conversations_queued on conversations (priority desc, waiting_since, id) where status = 'queued';
create index conversations_queued_channel on conversations (channel, priority desc, waiting_since, id) where status = 'queued';
create index conversations_held on conversations using gin (held_for) where status = 'held';
create index conversations_held_since on conversations (waiting_since, id) where status = 'held';
create index conversations_customer on conversations (customer_id, created_at desc);

-- Every inbound provider message, keyed by its deterministic MessageId: dedupe is permanent.
create table messages (
    id uuid primary key,
    conversation_id uuid not null references conversations (id),
    customer_id uuid not null,
    channel text not null,
    channel_account text not null,
    provider_message_id text not null,
    sender_kind text not null,
    sender_value text not null,
    sender_display_name text,
    thread_key text,
    subject text,
    body text,
    attachments jsonb not null default '[]',
    reply_to_provider_message_id text,
    provider_timestamp timestamptz not null,
    received_at timestamptz not null,
    routed_at timestamptz not null
);
create index messages_conversation on messages (conversation_id, received_at);

-- The routing receipt: one row per decision, with a verdict per candidate.
create table decisions (
    id uuid primary key,
    -- decisions of one transaction share an instant; this keeps their order
    seq bigint generated always as identity,
    conversation_id uuid not null references conversations (id),
    at timestamptz not null,
    trigger text not null,
    outcome text not null,
    reason text not null,
    agent_id text,
    candidates jsonb not null,
    candidates_considered int not null
);
create index decisions_conversation on decisions (conversation_id, seq);

-- Holds, offline grace periods and offers: swept by every replica with FOR UPDATE SKIP LOCKED.
create table timers (
    id bigint generated always as identity primary key,
    kind text not null check (kind in ('hold', 'grace', 'offer')),
    conversation_id uuid references conversations (id),
    agent_id text references agents (id) on delete cascade,
    due_at timestamptz not null
);
create unique index timers_conversation on timers (kind, conversation_id) where conversation_id is not null;
create unique index timers_agent on timers (kind, agent_id) where kind = 'grace';
create index timers_due on timers (due_at);

-- Events recorded in the same transaction as the state they describe; published after commit.
create table outbox (
    id bigint generated always as identity primary key,
    message_id uuid not null unique,
    message_type text not null,
    payload jsonb not null,
    created_at timestamptz not null
);
