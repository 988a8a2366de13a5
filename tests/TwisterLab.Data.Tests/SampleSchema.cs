namespace TwisterLab.Data.Tests;

/// <summary>A small TwisterLab-like schema: agents, tickets (FK), an alembic revision, awkward names and types.</summary>
internal static class SampleSchema
{
    public const string Sql = """
        CREATE TABLE agents (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE tickets (id bigserial PRIMARY KEY, agent_id bigint REFERENCES agents(id), body text, score double precision, payload bytea);
        CREATE TABLE "Order Lines" ("user" text, "Value" numeric(10,2));
        CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
        INSERT INTO alembic_version VALUES ('a1b2c3d4e5f6');
        INSERT INTO agents (name) SELECT 'agent-' || g FROM generate_series(1, 50) g;
        INSERT INTO tickets (agent_id, body, score, payload)
          SELECT 1 + g % 50, repeat('ticket body ' || g, 5), g / 7.0, decode(md5(g::text), 'hex') FROM generate_series(1, 2000) g;
        INSERT INTO "Order Lines" VALUES ('ünïcode 😀', 1.50), (NULL, NULL), ('b', 2.25);
        """;
}
