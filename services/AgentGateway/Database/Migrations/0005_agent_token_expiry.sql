-- Agents' tokens expire (Gateway:AgentTokenLifetime, or the lifetime asked for when issued). Tokens issued before
-- this migration keep no expiry: revoke and reissue them to give them one.
alter table gateway_agent_tokens add column expires_at timestamptz;
