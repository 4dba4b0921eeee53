-- The traceparent of the span that wrote an event: its publish continues that trace (one trace from the webhook to the
-- agent's tool, through the outbox).
alter table outbox add column trace_parent text;
