-- One-time values of providers whose signature does not cover the message (Mailgun: timestamp and token only). A
-- captured signature could otherwise carry any other mail while its timestamp is fresh: the first message to come
-- with a nonce keeps it, and another message with the same nonce is a replay, not routed. Kept a day (the adapters
-- refuse signatures older than 15 minutes), on every replica's behalf.
create table delivery_nonces (
    nonce text primary key,
    message_id uuid not null,
    seen_at timestamptz not null
);
create index delivery_nonces_seen on delivery_nonces (seen_at);
