using Cake.Core.IO;
using TwisterLab.Cake.Data.Throwaway;

namespace TwisterLab.Cake.Tools;

internal static class PgToolPaths
{
    // Debian keeps versioned binaries in /usr/lib/postgresql/N/bin; /usr/bin holds a wrapper that may pick another version.
    public static IEnumerable<FilePath> Alternatives(string tool)
    {
        string? path = null;
        try
        {
            path = PostgresBinaries.Path(tool);
        }
        catch (Data.DataOperationException)
        {
            // No server binaries folder: rely on PATH only.
        }
        return path is null ? [] : [new FilePath(path)];
    }
}
