-- Outbox rows that can never be published (a type no contract has, a payload that is not its JSON), set aside by
-- the dispatcher with the reason so that they do not hold up the events behind them. Inspected, fixed and moved back
-- by hand (deploy/README.md, runbook).
create table outbox_quarantine (
    id bigint primary key,
    message_id uuid not null,
    message_type text not null,
    payload jsonb not null,
    created_at timestamptz not null,
    reason text not null,
    quarantined_at timestamptz not null
);
