using Npgsql;
using TwisterLab.Cake.Data;

namespace TwisterLab.Data.Tests;

/// <summary>The client's copy of PostgreSQL's hash functions, checked value by value against a real server's.</summary>
public sealed class PostgresHashTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Client_hashes_equal_the_servers_for_every_type_and_length()
    {
        var random = new Random(20261125);
        await using var connection = await PostgresErrors.OpenAsync(postgres.Server.Target());

        long[] integers = [0, 1, -1, long.MinValue, long.MaxValue, 1L << 32, -(1L << 32), random.NextInt64(), random.NextInt64(long.MinValue, 0)];
        foreach (var value in integers)
        {
            Assert.Equal((long)PostgresHash.BigEndian(value), await Scalar(connection, "SELECT hash_record_extended(ROW(int8send($1)), 0)", value));
            Assert.Equal((long)PostgresHash.Int64(value, (ulong)value), await Scalar(connection, "SELECT hashint8extended($1, $1)", value));
            Assert.Equal((long)PostgresHash.Int64(value, 0), await Scalar(connection, "SELECT hashint8extended($1, 0)", value));
        }

        // Every tail length of the 12-byte blocks, ASCII and multi-byte text.
        for (var length = 0; length <= 40; length++)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            Assert.Equal((long)PostgresHash.Bytes(bytes), await Scalar(connection, "SELECT hash_record_extended(ROW($1::bytea), 0)", bytes));
            var text = string.Concat(Enumerable.Range(0, length).Select(i => i % 3 == 0 ? "é" : ((char)('a' + random.Next(26))).ToString()));
            Assert.Equal((long)PostgresHash.Bytes(System.Text.Encoding.UTF8.GetBytes(text)), await Scalar(connection, "SELECT hashtextextended($1, 0)", text));
        }

        foreach (var value in new[] { true, false })
            Assert.Equal((long)PostgresHash.Boolean(value), await Scalar(connection, "SELECT hash_record_extended(ROW($1::boolean), 0)", value));
        foreach (var value in new[] { 0.1, -0.0, double.NaN, double.Epsilon, double.MaxValue })
            Assert.Equal((long)PostgresHash.BigEndian(BitConverter.DoubleToInt64Bits(value)), await Scalar(connection, "SELECT hash_record_extended(ROW(float8send($1::float8)), 0)", value));
    }

    [Fact]
    public async Task This_server_computes_the_checksum_itself()
    {
        await using var connection = await PostgresErrors.OpenAsync(postgres.Server.Target());
        Assert.Equal(ChecksumMethod.OnServer, PostgresTableChecksum.Choose(connection));
    }

    private static async Task<long> Scalar(NpgsqlConnection connection, string sql, object value)
    {
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = value } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
