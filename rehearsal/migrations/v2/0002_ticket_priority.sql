-- revision: 0002_ticket_priority
-- down_revision: 0001_initial
ALTER TABLE tickets ADD COLUMN priority smallint NOT NULL DEFAULT 3;
CREATE INDEX ix_tickets_priority ON tickets (priority);
-- downgrade:
DROP INDEX ix_tickets_priority;
ALTER TABLE tickets DROP COLUMN priority;
