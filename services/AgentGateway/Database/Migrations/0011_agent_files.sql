-- Files agents send: uploaded through the agent API (or taken from a Slack file share or a mail), kept in the same store
-- and under the same retention as what customers send, and named by the replies that carry them. An upload belongs to
-- its agent until a reply carries it; then it is also the conversation's.
alter table gateway_attachments
    alter column message_id drop not null,
    alter column conversation_id drop not null,
    alter column position drop not null,
    add column uploaded_by text;
create index gateway_attachments_uploaded on gateway_attachments (uploaded_by) where uploaded_by is not null;

alter table gateway_messages add column attachment_ids uuid[] not null default '{}';
create index gateway_messages_attachments on gateway_messages using gin (attachment_ids) where direction = 'out';
