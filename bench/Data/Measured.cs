using System.Diagnostics;
using System.Globalization;

namespace TwisterLab.Data.Bench;

/// <summary>Wall time and peak RSS of one external command, via GNU time (the same ruler for pgloader, pg_dump and us).</summary>
internal sealed record Measurement(double Seconds, long PeakKb, int ExitCode, string Output, double CpuSeconds = 0, double ServerCpuSeconds = 0)
{
    public double PeakMb => PeakKb / 1024.0;

    public static Measurement Run(string command, IReadOnlyDictionary<string, string>? environment = null)
    {
        var marker = Path.GetTempFileName();
        var start = new ProcessStartInfo("/usr/bin/time", ["-f", "%e %M %U %S", "-o", marker, "sh", "-c", $"( {command} ) </dev/null"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var parts = File.ReadAllLines(marker).Last().Split(' ');
        File.Delete(marker);
        return new Measurement(double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1]), process.ExitCode, stdout + stderr.Result,
            double.Parse(parts[2], CultureInfo.InvariantCulture) + double.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    public Measurement EnsureSuccess(string what) =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"{what} failed (exit {ExitCode}): {string.Join('\n', Output.Split('\n').TakeLast(15))}");
}
