-- Agents' API tokens: only a SHA-256 of each token is kept (tokens are 256 random bits, so a fast hash suffices).

create table gateway_agent_tokens (
    id uuid primary key,
    agent_id text not null,
    token_hash bytea not null unique,
    -- the token's first characters, so an administrator can tell tokens apart without the token
    prefix text not null,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
);

create index gateway_agent_tokens_agent on gateway_agent_tokens (agent_id);
