-- The supervisors' console signs its operators in with a cookie protected by ASP.NET Core Data Protection. Its keys are
-- kept here, so every replica of routing reads the same key ring and a session survives a restart or another replica.
create table data_protection_keys (
    friendly_name text primary key,
    xml text not null,
    created_at timestamptz not null
);

-- the console's search by name: customers' and their addresses' display names, case-insensitively
create index customers_display_name on customers (lower(display_name) text_pattern_ops) where display_name is not null;
