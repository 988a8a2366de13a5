// The same graph as the host's 5-step benchmark chain, for Cake's own script runner (dotnet cake).
var target = Argument("target", "RollingUpgrade");

Task("Preflight").Does(() => Information("kubectl version"));
Task("BackupDatabase").IsDependentOn("Preflight").Does(() => Information("pg_dump -Fc"));
Task("SetImage").IsDependentOn("BackupDatabase").Does(() => Information("kubectl set image"));
Task("WaitForRollout").IsDependentOn("SetImage").Does(() => Information("kubectl rollout status"));
Task("VerifyHealth").IsDependentOn("WaitForRollout").Does(() => Information("curl /health"));
Task("RollingUpgrade").IsDependentOn("VerifyHealth");

RunTarget(target);
