-- Who exercised a customer's data rights on routing's data, and when: the action, the customer's id (after an erasure
-- nothing links it to a person any more), the operator's token name, and how many rows each table gave or lost. No
-- address, name or text.
create table data_rights_audit (
    id uuid primary key,
    action text not null check (action in ('export', 'erasure')),
    customer_id uuid not null,
    operator text not null,
    at timestamptz not null,
    rows jsonb not null
);
create index data_rights_audit_customer on data_rights_audit (customer_id, at);
