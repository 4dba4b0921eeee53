-- Follow-ups agents sent after closing a conversation (FollowUpSent): until answer_by, the customer's next conversation is
-- offered to that agent first. One row per follow-up; a redelivery changes nothing.
create table follow_up_answers (
    follow_up_id uuid primary key,
    customer_id uuid not null references customers (id) on delete cascade,
    agent_id text not null,
    conversation_id uuid not null,
    channel text not null,
    sent_at timestamptz not null,
    answer_by timestamptz not null
);
create index follow_up_answers_customer on follow_up_answers (customer_id, answer_by);
