-- Every change of an agent's presence, as it took effect: what a what-if replay (services/Routing/README.md, Simulation)
-- needs to know who was there when. Agents' ids only; no customer data.
create table presence_changes (
    id bigint generated always as identity primary key,
    agent_id text not null references agents (id) on delete cascade,
    presence text not null check (presence in ('available', 'away', 'offline')),
    at timestamptz not null
);
create index presence_changes_at on presence_changes (at);
-- each agent's presence at an instant: the latest change before it
create index presence_changes_agent on presence_changes (agent_id, at desc, id desc);

-- what the replay starts from: each agent's presence when the table begins is the one the agent has had since
insert into presence_changes (agent_id, presence, at) select id, presence, presence_changed_at from agents;
