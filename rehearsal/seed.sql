-- The rehearsal's v1 data: a few agents and tickets, so that backups, restores and integrity checks have rows.
INSERT INTO agents (name) SELECT 'agent-' || g FROM generate_series(1, 20) AS g;
INSERT INTO tickets (agent_id, body) SELECT 1 + g % 20, 'ticket body ' || md5(g::text) FROM generate_series(1, 500) AS g;
