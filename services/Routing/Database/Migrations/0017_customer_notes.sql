-- What agents and operators write down about a customer for whoever serves them next (AnnotateCustomer, the API): notes
-- with who wrote them and when, and tags. They belong to the customer, not a conversation (the conversation a note was
-- written in is kept for context); a customer merged into another brings theirs along (read through merged_into).
create table customer_notes (
    id uuid primary key,
    customer_id uuid not null references customers (id),
    author text not null,
    conversation_id uuid references conversations (id),
    text text not null,
    written_at timestamptz not null
);
create index customer_notes_customer on customer_notes (customer_id, written_at desc);

create table customer_tags (
    customer_id uuid not null references customers (id),
    tag text not null,
    added_by text not null,
    added_at timestamptz not null,
    primary key (customer_id, tag)
);
