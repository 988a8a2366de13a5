using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TwisterLab.Cake.Data;

/// <summary>
/// PostgreSQL's 64-bit value hashes, computed client-side: Bob Jenkins' lookup3 (public domain) as PostgreSQL's
/// hash_bytes_extended and hash_bytes_uint32_extended apply it with seed 0 on a little-endian server, and the
/// per-type wrappers the default hash opclasses use (int8, text, bytea, bool). <see cref="RowChecksum"/> combines them
/// the way hash_record_extended does, so the server can checksum a table without sending it back.
/// <see cref="PostgresTableChecksum"/> checks these against the server on known values before trusting them.
/// </summary>
internal static class PostgresHash
{
    private const uint Golden = 0x9e3779b9 + 3923095;

    /// <summary>
    /// hashint8extended(value, seed): the value folded to 32 bits (sign-aware) and hashed with the seed mixed in first.
    /// With the value as its own seed (how <see cref="RowChecksum"/> finishes a row) every one of its 64 bits counts.
    /// </summary>
    public static ulong Int64(long value, ulong seed)
    {
        var low = (uint)value;
        var high = (uint)(value >> 32);
        low ^= value >= 0 ? high : ~high;
        return UInt32(low, seed);
    }

    /// <summary>hashcharextended(value, 0), which the boolean opclass uses.</summary>
    public static ulong Boolean(bool value) => UInt32(value ? 1u : 0u, 0);

    /// <summary>hash_bytes_uint32_extended(value, seed).</summary>
    public static ulong UInt32(uint value, ulong seed)
    {
        uint a = Golden + 4, b = a, c = a;
        if (seed != 0)
        {
            a += (uint)(seed >> 32);
            b += (uint)seed;
            Mix(ref a, ref b, ref c);
        }
        a += value;
        Final(ref a, ref b, ref c);
        return ((ulong)b << 32) | c;
    }

    /// <summary>
    /// An 8-byte value's send form (int8send, timestamp_send, float8send: big-endian) hashed as bytea: all 64 bits count,
    /// where int8's own hash folds them to 32 and float8's makes -0 equal 0. The eight bytes are exactly the two
    /// little-endian words lookup3 reads for its a and b, so they are fed in directly.
    /// </summary>
    public static ulong BigEndian(long value)
    {
        uint a = Golden + 8, b = a, c = a;
        a += BinaryPrimitives.ReverseEndianness((uint)(value >> 32));
        b += BinaryPrimitives.ReverseEndianness((uint)value);
        Final(ref a, ref b, ref c);
        return ((ulong)b << 32) | c;
    }

    /// <summary>hash_bytes_extended(bytes, 0): text (deterministic collation), bytea and the send forms above.</summary>
    public static ulong Bytes(ReadOnlySpan<byte> key)
    {
        uint a = Golden + (uint)key.Length, b = a, c = a;
        ref var start = ref MemoryMarshal.GetReference(key);
        var offset = 0;
        for (; key.Length - offset >= 12; offset += 12)
        {
            a += Word(ref start, offset);
            b += Word(ref start, offset + 4);
            c += Word(ref start, offset + 8);
            Mix(ref a, ref b, ref c);
        }
        // The last 0–11 bytes, zero-padded: the first eight as two little-endian words, the rest above c's low byte.
        Span<byte> tail = stackalloc byte[12];
        tail.Clear();
        key[offset..].CopyTo(tail);
        a += BinaryPrimitives.ReadUInt32LittleEndian(tail);
        b += BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]);
        c += BinaryPrimitives.ReadUInt32LittleEndian(tail[8..]) << 8;
        Final(ref a, ref b, ref c);
        return ((ulong)b << 32) | c;
    }

    private static uint Word(ref byte start, int offset)
    {
        var word = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, offset));
        return BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word);
    }

    private static void Mix(ref uint a, ref uint b, ref uint c)
    {
        a -= c; a ^= BitOperations.RotateLeft(c, 4); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 6); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 8); b += a;
        a -= c; a ^= BitOperations.RotateLeft(c, 16); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 19); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 4); b += a;
    }

    private static void Final(ref uint a, ref uint b, ref uint c)
    {
        c ^= b; c -= BitOperations.RotateLeft(b, 14);
        a ^= c; a -= BitOperations.RotateLeft(c, 11);
        b ^= a; b -= BitOperations.RotateLeft(a, 25);
        c ^= b; c -= BitOperations.RotateLeft(b, 16);
        a ^= c; a -= BitOperations.RotateLeft(c, 4);
        b ^= a; b -= BitOperations.RotateLeft(a, 14);
        c ^= b; c -= BitOperations.RotateLeft(b, 24);
    }
}
