namespace TwisterLab.Cake.Cluster.Postgres;

/// <summary>
/// The shell script a backup runs in the postgres pod so that the archive and the manifest describe the same data,
/// as the direct path does with its own connection. psql opens a REPEATABLE READ transaction and exports its
/// snapshot (<c>pg_export_snapshot</c>); pg_dump dumps exactly that snapshot (<c>--snapshot</c>) to stdout, which is the
/// exec stream; meanwhile psql counts the rows in the same transaction, and its answer is relayed to stderr once
/// pg_dump is done. psql talks to the script through two FIFOs, because a POSIX sh (dash, busybox: what postgres
/// images carry) has no coprocesses. The script's exit code is pg_dump's; failing that, psql's.
/// </summary>
public static class SnapshotDumpScript
{
    /// <summary>$1 user, $2 database, $3 compression level, $4 the facts SQL.</summary>
    public const string Text = """
        set -eu
        dir=$(mktemp -d)
        trap 'rm -rf "$dir"' EXIT
        mkfifo "$dir/q" "$dir/a"
        psql -X -q -At -v ON_ERROR_STOP=1 -U "$1" -d "$2" <"$dir/q" >"$dir/a" &
        psql_pid=$!
        exec 3>"$dir/q" 4<"$dir/a"
        echo 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot();' >&3
        read -r snapshot <&4
        printf '%s\n' "$4" >&3
        pg_dump -U "$1" -d "$2" --format=custom --compress="$3" --snapshot="$snapshot"
        echo 'COMMIT;' >&3
        exec 3>&-
        cat <&4 >&2
        wait "$psql_pid"
        """;

    public static IReadOnlyList<string> Command(PodDatabase database, int compression) =>
        ["sh", "-c", Text, "twisterlab-backup", database.User, database.Database, compression.ToString(), InPodFacts.Sql];
}
