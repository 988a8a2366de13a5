using Cake.Core;
using Cake.Core.IO;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Data;

/// <summary>Runs the Cake tool wrappers from a gateway and turns a failure into one line with the tool's own last error.</summary>
internal static class PgToolRun
{
    private static readonly Lazy<CakeTools> Tools = new(() => new CakeTools());

    public static IReadOnlyList<string> ListArchive(string archivePath)
    {
        var output = new List<string>();
        Run("pg_restore", "pg_restore --list", settings: new PgRestoreSettings { ArchivePath = archivePath, List = true },
            (s, ps, capture) => Tools.Value.PgRestore().RunWith(s, ps, p => { output.AddRange(p.GetStandardOutput()); capture(p); }));
        return output;
    }

    public static void Restore(PgRestoreSettings settings) =>
        Run("pg_restore", "pg_restore", settings, (s, ps, capture) => Tools.Value.PgRestore().RunWith(s, ps, capture));

    public static void Psql(PsqlSettings settings) =>
        Run("psql", "psql", settings, (s, ps, capture) => Tools.Value.Psql().RunWith(s, ps, capture));

    private static void Run<TSettings>(string tool, string what, TSettings settings, Action<TSettings, ProcessSettings, Action<IProcess>> run) where TSettings : PgToolSettings
    {
        // Cake's runners search PATH before their alternative folders, and on Debian PATH holds a Perl wrapper that
        // may pick another server version (and costs ~50 ms a call): name the binary PgToolLocator chooses, as the
        // direct path does.
        settings.ToolPath ??= new FilePath(PgToolLocator.Find(tool));
        var errors = new List<string>();
        var processSettings = new ProcessSettings { RedirectStandardOutput = true, RedirectStandardError = true };
        try
        {
            run(settings, processSettings, p => errors.AddRange(p.GetStandardError()));
        }
        catch (CakeException ex)
        {
            var last = errors.LastOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? errors.LastOrDefault() ?? ex.Message;
            throw new DataOperationException($"{what} failed: {last.Trim()}", ex);
        }
    }
}
