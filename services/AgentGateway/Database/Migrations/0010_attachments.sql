-- What customers attach: every attachment of a message the gateway stores is fetched from its provider (with the
-- provider's credentials), kept within Gateway:Attachments:MaxBytes for Gateway:Attachments:Retention, and opened by
-- agents through the agent API or a signed link. Its id derives from its message's id and its place in the message.
create table gateway_attachments (
    id uuid primary key,
    message_id uuid not null,
    conversation_id uuid not null,
    position int not null,
    channel text not null,
    -- where the provider serves it (a URL, or a reference such as whatsapp-media:<id>); dropped once fetched or refused
    source text,
    content_type text not null,
    file_name text,
    size_bytes bigint,
    sha256 text,
    -- pending: to fetch; stored: kept (content in the store); refused: will not be kept (too large, infected, gone at the
    -- provider); failed: the provider did not answer after every attempt; deleted: past retention
    status text not null check (status in ('pending', 'stored', 'refused', 'failed', 'deleted')),
    reason text,
    -- clean, infected, or not-scanned (no scanner configured)
    scan text,
    attempts int not null default 0,
    next_attempt_at timestamptz not null,
    created_at timestamptz not null,
    stored_at timestamptz
);
create index gateway_attachments_due on gateway_attachments (next_attempt_at) where status = 'pending';
create index gateway_attachments_stored on gateway_attachments (stored_at) where status = 'stored';
create index gateway_attachments_message on gateway_attachments (message_id);

-- The files themselves when Gateway:Attachments:Store is postgres.
create table gateway_attachment_content (
    id uuid primary key references gateway_attachments (id) on delete cascade,
    content bytea not null
);
