-- The agent an assignment took the conversation from while they still had it (a transfer, a release and a new
-- assignment in one routing transaction): their ConversationReleased may be applied after the new assignment, and
-- must still tell them.
alter table gateway_conversations add column replaced_agent_id text;
