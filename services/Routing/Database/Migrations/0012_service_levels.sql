-- Service levels (GET /reports/service-levels and the routing.* instruments), from facts kept on each conversation:
-- the first agent reply the channel's adapter sent (first-response time) and the latest, whether the first assignment went
-- to a preferred agent (null: the customer had none), and the time agents handled it (first assignment to close).
alter table conversations add column first_response_at timestamptz;
alter table conversations add column last_reply_at timestamptz;
alter table conversations add column preferred_hit boolean;
alter table conversations add column handling_since timestamptz;
alter table conversations add column handle_seconds double precision;
update conversations set handling_since = first_assigned_at where status = 'open';

-- the report reads the conversations that started in a period
create index conversations_created on conversations (created_at);
