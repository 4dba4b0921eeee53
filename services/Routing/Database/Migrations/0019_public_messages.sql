-- Public messages (a mention on X, a comment under a Page post): each message says whether everyone can read it, and where
-- it was written (the post, the comment it answers, a link). A conversation takes the visibility of its customer's latest
-- message: public ones are held for their preferred agents for Routing:Public:HoldWait instead of the channel's wait.
alter table messages add column visibility text not null default 'private', add column post jsonb;
alter table conversations add column visibility text not null default 'private';
