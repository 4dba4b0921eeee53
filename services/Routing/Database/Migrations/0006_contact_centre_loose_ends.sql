-- Exclusions lapse: an agent who declined (or let an offer expire) is passed over until then, not for ever.
-- excluded_agents stays the record of who was ever excluded; exclusions is what routing obeys: {"agent": until}.
alter table conversations add column exclusions jsonb not null default '{}';
update conversations
set exclusions = (select coalesce(jsonb_object_agg(a, now() + interval '30 minutes'), '{}') from unnest(excluded_agents) a)
where cardinality(excluded_agents) > 0 and status <> 'closed';

-- The preferred set a conversation started with (agent ids) and its first assignment: the preferred-agent hit rate counts
-- each conversation once, when it first reaches an agent (or closes before it did), wherever it waited meanwhile.
alter table conversations add column preferred_set text[] not null default '{}';
alter table conversations add column first_assigned_at timestamptz;
update conversations set first_assigned_at = assigned_at where assigned_at is not null;

-- What a merge did to conversations, so that unmerge can undo it: the survivor's conversation the person kept, the merged
-- customer's conversation that was closed into it (absorbed) or handed to the survivor (moved), and the messages moved
-- with their original conversation.
alter table customer_merges add column kept_conversation uuid;
alter table customer_merges add column absorbed_conversation uuid;
alter table customer_merges add column moved_conversations uuid[] not null default '{}';
alter table customer_merges add column moved_messages jsonb not null default '[]';
