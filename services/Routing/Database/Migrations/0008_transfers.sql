-- Teams: an agent belongs to any number of them (a transfer to a team, later skills and hours, name them).
alter table agents add column teams text[] not null default '{}';
create index agents_teams on agents using gin (teams);

-- The team a conversation was transferred to: only its members take it (preferred agents first when they are members).
alter table conversations add column team text;

-- Transfers: who moved a conversation to whom and why, cold (moved at once) or warm (offered first while the sender keeps it).
create table transfers (
    id uuid primary key,
    conversation_id uuid not null references conversations (id),
    requested_by text not null,
    from_agent text,
    to_agent text,
    to_team text,
    warm boolean not null,
    note text,
    status text not null check (status in ('offered', 'done', 'declined', 'expired', 'refused', 'cancelled')),
    reason text,
    requested_at timestamptz not null,
    offered_to text,
    expires_at timestamptz,
    ended_at timestamptz
);
create index transfers_conversation on transfers (conversation_id, requested_at);
-- A conversation has one warm transfer on offer at a time.
create unique index transfers_offered on transfers (conversation_id) where status = 'offered';

alter table timers drop constraint timers_kind_check;
alter table timers add constraint timers_kind_check check (kind in ('hold', 'grace', 'offer', 'transfer'));
