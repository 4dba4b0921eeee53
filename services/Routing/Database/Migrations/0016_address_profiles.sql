-- What providers say about the person behind an address (the adapters' profile lookups, CustomerProfileObserved): the
-- newest profile per address. Kept apart from identities because a lookup may arrive before routing has created the
-- identity (the identity then takes the name when it is created); a profile whose address nobody has any more is removed
-- with the customer's erasure, or by the retention sweep.
create table address_profiles (
    kind text not null,
    value text not null,
    channel text not null,
    display_name text,
    handle text,
    picture_url text,
    locale text,
    observed_at timestamptz not null,
    primary key (kind, value)
);
