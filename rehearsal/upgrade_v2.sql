-- The rehearsal's schema migration for a maintenance upgrade (the guide's migrations/upgrade_v2.sql).
ALTER TABLE agents ADD COLUMN description text NOT NULL DEFAULT '';
CREATE INDEX ix_agents_name ON agents (name);
