-- Warm transfers offered to agents: the receiving agent may accept or decline only what is offered to them, while it lasts.
create table gateway_transfer_offers (
    transfer_id uuid primary key,
    conversation_id uuid not null,
    from_agent text not null,
    to_agent text not null,
    to_team text,
    note text,
    offered_at timestamptz not null,
    expires_at timestamptz not null,
    status text not null default 'offered' check (status in ('offered', 'answered', 'ended')),
    outcome text,
    ended_at timestamptz
);
create index gateway_transfer_offers_to_agent on gateway_transfer_offers (to_agent, status, offered_at);
