-- Retention's sweep (Retention/RetentionSweeper) finds conversations closed before a cutoff: their messages' content and
-- their receipts go.
create index conversations_closed_at on conversations (closed_at) where status = 'closed';
create index outbox_quarantine_at on outbox_quarantine (quarantined_at);
create index address_profiles_observed on address_profiles (observed_at);
