using System.IO.Compression;
using System.Text;

namespace TwisterLab.Cake.Data;

/// <summary>The SQL export: written to a .partial file and renamed only when the whole migration succeeded.</summary>
internal sealed class SqlExport : IDisposable
{
    private readonly string _path;
    private readonly string _partial;
    private bool _committed;

    public SqlExport(string path)
    {
        _path = path;
        _partial = path + ".partial";
        try
        {
            Stream file = new FileStream(_partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            // .gz: the text is mostly the data again, and compresses several-fold at the fastest level.
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) file = new GZipStream(file, CompressionLevel.Fastest);
            Writer = new StreamWriter(file, new UTF8Encoding(false), 1 << 20);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataOperationException($"Cannot write the SQL export {path} ({ex.Message}): choose a writable path.", ex);
        }
        Writer.Write("-- SQLite export for PostgreSQL, written by TwisterLab.Cake. Import: psql --single-transaction -v ON_ERROR_STOP=1 -f <file>\n");
        Writer.Write("SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\n");
    }

    public TextWriter Writer { get; }

    public void Statement(string sql) => Writer.Write(sql + ";\n");

    public void Commit()
    {
        Writer.Flush();
        Writer.Dispose();
        File.Move(_partial, _path, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (_committed) return;
        Writer.Dispose();
        File.Delete(_partial);
    }
}
