-- revision: 0001_initial
-- down_revision: none
CREATE TABLE agents (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE tickets (
    id bigserial PRIMARY KEY,
    agent_id bigint REFERENCES agents (id),
    body text NOT NULL,
    status text NOT NULL DEFAULT 'open'
);
-- downgrade:
DROP TABLE tickets;
DROP TABLE agents;
