-- Follow-ups: an agent's message to a customer, due after their conversation closed ("in 3 days, ask whether the replacement
-- arrived"). Swept on every replica (FOR UPDATE SKIP LOCKED) when due, and sent on the customer's channel like a reply.
create table gateway_follow_ups (
    id uuid primary key,
    conversation_id uuid not null,
    customer_id uuid not null,
    agent_id text not null,
    text text not null,
    due_at timestamptz not null,
    status text not null default 'scheduled',
    reply_id uuid,
    reason text,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index gateway_follow_ups_due on gateway_follow_ups (due_at) where status = 'scheduled';
create index gateway_follow_ups_agent on gateway_follow_ups (agent_id, due_at);
