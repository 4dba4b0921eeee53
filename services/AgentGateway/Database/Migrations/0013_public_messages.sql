-- Public messages (a mention on X, a comment under a Page post) and public replies: whether everyone can read a message,
-- and where it was written (the post, the comment it answers, a link). Agents are shown it, and replies default to it.
alter table gateway_messages add column visibility text not null default 'private', add column post jsonb;
