-- Retention (DataRights/RetentionSweeper): the copies of conversations closed long ago are emptied (expired_at says when,
-- so a sweep passes them by after), and deliveries that are done are deleted after Gateway:Retention:Deliveries.
alter table gateway_conversations add column expired_at timestamptz;
create index gateway_conversations_to_expire on gateway_conversations (closed_at) where status = 'closed' and expired_at is null;
create index gateway_deliveries_done on gateway_deliveries (created_at) where status <> 'pending';
