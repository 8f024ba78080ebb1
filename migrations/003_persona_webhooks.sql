-- A server's choice of persona webhooks (replies under the persona's own name and avatar).
-- NULL follows PERSONA_WEBHOOKS.
ALTER TABLE guild_moderation ADD COLUMN persona_webhooks INTEGER CHECK (persona_webhooks IN (0, 1));
