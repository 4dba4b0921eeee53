-- Meta's private reply (a direct message answering a public comment or post) is one per comment or post: the reply keeps
-- which public message it answered, so that a second one is refused while the agent writes, not by Meta afterwards.
alter table gateway_messages add column private_reply_to text;
create index gateway_messages_private_reply_to on gateway_messages (channel, private_reply_to) where private_reply_to is not null;
