using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps;
using TwisterLab.Cake.Steps.ComposeMigration;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Docker Compose -> Kubernetes: export PostgreSQL (and Redis) from Compose, apply k8s/base and k8s/deployments, wait for postgres, restore, verify, DNS/Ingress (printed), health, then docker compose down. Undo: database emptied, created objects deleted, Compose started again.")]
[IsDependentOn(typeof(Preflight))]
[IsDependentOn(typeof(PreflightLive))]
[IsDependentOn(typeof(ExportComposeDatabase))]
[IsDependentOn(typeof(ExportComposeRedis))]
[IsDependentOn(typeof(ApplyKubernetesManifests))]
[IsDependentOn(typeof(WaitForPostgres))]
[IsDependentOn(typeof(RestoreComposeExport))]
[IsDependentOn(typeof(VerifyComposeImport))]
[IsDependentOn(typeof(ShowDnsIngressInstruction))]
[IsDependentOn(typeof(VerifyHealth))]
[IsDependentOn(typeof(StopCompose))]
public sealed class MigrateComposeToKubernetes : FrostingTask<DeployContext>;
