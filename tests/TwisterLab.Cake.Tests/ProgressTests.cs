using Cake.Core.Diagnostics;
using TwisterLab.Cake.Progress;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// The progress reporter on a clock the test moves (its timer never fires by itself: the test ticks), so "every few
/// seconds" and "a heartbeat after 10 s of quiet" are checked without waiting.
/// </summary>
public sealed class ProgressTests
{
    private readonly ManualClock _clock = new();
    private readonly List<string> _lines = [];

    private ProgressReporter Reporter() =>
        new(new PlainProgressView(_lines.Add), Timeout.InfiniteTimeSpan, TimeSpan.FromSeconds(10), _clock);

    [Fact]
    public void A_stream_shows_amount_rate_and_eta_and_its_end()
    {
        using var reporter = Reporter();
        var meter = reporter.Start("backup twisterlab", ProgressUnit.Bytes, total: 3_000_000_000);
        _clock.Advance(TimeSpan.FromSeconds(40));
        meter.Add(1_200_000_000);
        reporter.Tick();
        _clock.Advance(TimeSpan.FromSeconds(5));
        reporter.Tick(); // nothing moved, and a byte count is not a wait: no line
        meter.Add(300_000_000);
        _clock.Advance(TimeSpan.FromSeconds(5));
        meter.Dispose();

        Assert.Equal(
        [
            "backup twisterlab: 1.2 GB of 3.0 GB (40 %), 30.0 MB/s, ETA 1:00",
            "backup twisterlab: 1.5 GB of 3.0 GB (50 %), 30.0 MB/s, done in 0:50",
        ], _lines);
    }

    [Fact]
    public void Rows_and_samples_read_as_people_count_them()
    {
        using var reporter = Reporter();
        using var rows = reporter.Start("import table users", ProgressUnit.Rows, total: 1_000_000);
        using var samples = reporter.Start("monitor", ProgressUnit.Samples, total: 60);
        _clock.Advance(TimeSpan.FromSeconds(4));
        rows.Add(120_000);
        samples.Set(12);
        samples.Describe("error rate 0.4 %, p95 180 ms");
        reporter.Tick();

        Assert.Equal(
        [
            "import table users: 120,000 of 1,000,000 rows (12 %), 30,000 rows/s, ETA 0:29",
            "monitor: 12/60 samples, ETA 0:16, error rate 0.4 %, p95 180 ms",
        ], _lines);
    }

    [Fact]
    public void A_wait_speaks_only_after_a_quiet_heartbeat_since_its_last_news()
    {
        using var reporter = Reporter();
        var wait = reporter.Start("rollout deployment/api-v2");
        wait.Describe("1/3 updated, 0 available");
        _clock.Advance(TimeSpan.FromSeconds(5));
        reporter.Tick(); // news, which the rollout logs itself: the quiet stretch starts again
        _clock.Advance(TimeSpan.FromSeconds(5));
        reporter.Tick(); // 5 s of quiet: nothing
        _clock.Advance(TimeSpan.FromSeconds(5));
        reporter.Tick(); // 10 s of quiet: a heartbeat
        wait.Describe("3/3 updated, 3 available");
        _clock.Advance(TimeSpan.FromSeconds(1));
        reporter.Tick();
        wait.Dispose();

        Assert.Equal(
        [
            "rollout deployment/api-v2: still waiting after 0:15, 1/3 updated, 0 available",
            "rollout deployment/api-v2: done after 0:16, 3/3 updated, 3 available",
        ], _lines);
    }

    [Fact]
    public void Work_that_ends_before_it_was_shown_leaves_no_line()
    {
        using var reporter = Reporter();
        using (var meter = reporter.Start("import table tiny", ProgressUnit.Rows, total: 3))
        {
            meter.Add(3);
        }

        reporter.Tick();
        Assert.Empty(_lines);
    }

    [Fact]
    public void Every_log_line_is_stamped_in_utc_and_redacted_in_the_file_and_on_a_ci_console()
    {
        _clock.Set(new DateTimeOffset(2026, 12, 2, 14, 3, 4, 567, TimeSpan.Zero));
        var redactor = new SecretRedactor();
        redactor.Add("s3cr3t-value");
        var console = new ListLog();
        var log = new RedactingLog(console, redactor, stampConsole: true, _clock);

        log.Information("connecting with {0}", "s3cr3t-value");
        log.Record(LogLevel.Information, "backup: 1 MB, token=s3cr3t-value");

        Assert.Equal(["2026-12-02T14:03:04.567Z Information: connecting with ***", "2026-12-02T14:03:04.567Z Information: backup: 1 MB, token=***"], log.Lines);
        Assert.Equal(["2026-12-02T14:03:04.567Z connecting with ***"], console.Messages);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;

        public void Set(DateTimeOffset now) => _now = now;
    }

    private sealed class ListLog : ICakeLog
    {
        public List<string> Messages { get; } = [];

        public Verbosity Verbosity { get; set; } = Verbosity.Normal;

        public void Write(Verbosity verbosity, LogLevel level, string format, params object[] args) =>
            Messages.Add(string.Format(format, args));
    }
}
