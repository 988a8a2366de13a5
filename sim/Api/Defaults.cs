using System.Text;
using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Api;

/// <summary>
/// The defaulting the real apiserver applies before storing (pkg/apis/*/v1/defaults.go, the fields we serve).
/// It matters beyond looks: the deployment controller compares pod templates, and kubectl's undo sends a template
/// the server has round-tripped, so both sides must be defaulted alike.
/// </summary>
internal static class Defaults
{
    public static void Apply(ResourceType type, JsonObject obj)
    {
        obj["apiVersion"] ??= type.ApiVersion;
        obj["kind"] ??= type.Kind;
        var spec = obj["spec"] as JsonObject;
        switch (type.Kind)
        {
            case "Namespace":
                Json.Obj(Json.Obj(obj, "metadata"), "labels")["kubernetes.io/metadata.name"] = Json.Str(obj, "metadata", "name");
                Json.Obj(obj, "spec")["finalizers"] ??= new JsonArray("kubernetes");
                break;
            case "Pod":
                if (spec is not null) PodSpec(spec);
                break;
            case "Deployment" when spec is not null:
                spec["replicas"] ??= 1;
                spec["revisionHistoryLimit"] ??= 10;
                spec["progressDeadlineSeconds"] ??= 600;
                var strategy = Json.Obj(spec, "strategy");
                strategy["type"] ??= "RollingUpdate";
                if (Json.Str(strategy, "type") == "RollingUpdate")
                {
                    var rolling = Json.Obj(strategy, "rollingUpdate");
                    rolling["maxSurge"] ??= "25%";
                    rolling["maxUnavailable"] ??= "25%";
                }
                Template(spec);
                break;
            case "Job" when spec is not null:
                // pkg/apis/batch/v1/defaults.go
                if (spec["completions"] is null && spec["parallelism"] is null) spec["completions"] = 1;
                spec["parallelism"] ??= 1;
                spec["backoffLimit"] ??= 6;
                spec["completionMode"] ??= "NonIndexed";
                spec["suspend"] ??= false;
                spec["podReplacementPolicy"] ??= "TerminatingOrFailed";
                Template(spec);
                break;
            case "CronJob" when spec is not null:
                spec["concurrencyPolicy"] ??= "Allow";
                spec["suspend"] ??= false;
                spec["successfulJobsHistoryLimit"] ??= 3;
                spec["failedJobsHistoryLimit"] ??= 1;
                if (Json.Walk(spec, "jobTemplate", "spec") is JsonObject jobSpec) Template(jobSpec);
                break;
            case "StatefulSet" when spec is not null:
                spec["replicas"] ??= 1;
                spec["podManagementPolicy"] ??= "OrderedReady";
                spec["revisionHistoryLimit"] ??= 10;
                var update = Json.Obj(spec, "updateStrategy");
                update["type"] ??= "RollingUpdate";
                if (Json.Str(update, "type") == "RollingUpdate") Json.Obj(update, "rollingUpdate")["partition"] ??= 0;
                spec["persistentVolumeClaimRetentionPolicy"] ??= new JsonObject { ["whenDeleted"] = "Retain", ["whenScaled"] = "Retain" };
                Template(spec);
                break;
            case "ReplicaSet" or "DaemonSet" when spec is not null:
                if (type.Kind == "ReplicaSet") spec["replicas"] ??= 1;
                else
                {
                    spec["revisionHistoryLimit"] ??= 10;
                    var ds = Json.Obj(spec, "updateStrategy");
                    ds["type"] ??= "RollingUpdate";
                }
                Template(spec);
                break;
            case "Service" when spec is not null:
                spec["type"] ??= "ClusterIP";
                spec["sessionAffinity"] ??= "None";
                spec["internalTrafficPolicy"] ??= "Cluster";
                spec["ipFamilies"] ??= new JsonArray("IPv4");
                spec["ipFamilyPolicy"] ??= "SingleStack";
                if (spec["ports"] is JsonArray ports)
                    foreach (var port in ports.OfType<JsonObject>())
                    {
                        port["protocol"] ??= "TCP";
                        port["targetPort"] ??= port["port"]?.DeepClone();
                    }
                break;
            case "Secret":
                obj["type"] ??= "Opaque";
                if (obj["stringData"] is JsonObject stringData)
                {
                    // stringData is write-only: it is merged into data, base64 encoded, and never stored.
                    var data = Json.Obj(obj, "data");
                    foreach (var (k, v) in stringData)
                        data[k] = Convert.ToBase64String(Encoding.UTF8.GetBytes(v?.ToString() ?? ""));
                    obj.Remove("stringData");
                }
                break;
            case "PersistentVolumeClaim" when spec is not null:
                spec["volumeMode"] ??= "Filesystem";
                break;
        }
    }

    /// <summary>
    /// A Job's selector and pod labels, generated from its uid unless spec.manualSelector is true: the labels
    /// batch.kubernetes.io/controller-uid and batch.kubernetes.io/job-name, and their legacy controller-uid/job-name twins.
    /// </summary>
    public static void JobSelector(JsonObject job, string uid)
    {
        if (Json.Walk(job, "spec") is not JsonObject spec || Json.Bool(spec, "manualSelector")) return;
        var name = Json.Str(job, "metadata", "name") ?? "";
        var labels = Json.Obj(Json.Obj(Json.Obj(spec, "template"), "metadata"), "labels");
        labels["batch.kubernetes.io/controller-uid"] = uid;
        labels["batch.kubernetes.io/job-name"] = name;
        labels["controller-uid"] = uid;
        labels["job-name"] = name;
        spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid } };
    }

    static void Template(JsonObject spec)
    {
        if (Json.Walk(spec, "template", "spec") is JsonObject podSpec) PodSpec(podSpec);
    }

    public static void PodSpec(JsonObject spec)
    {
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["securityContext"] ??= new JsonObject();
        spec["schedulerName"] ??= "default-scheduler";
        foreach (var list in new[] { "containers", "initContainers" })
            if (spec[list] is JsonArray containers)
                foreach (var c in containers.OfType<JsonObject>()) Container(c);
    }

    static void Container(JsonObject c)
    {
        c["terminationMessagePath"] ??= "/dev/termination-log";
        c["terminationMessagePolicy"] ??= "File";
        c["resources"] ??= new JsonObject();
        var image = Json.Str(c, "image") ?? "";
        var tag = image.Contains('@') ? "" : image.Contains(':') && image.LastIndexOf(':') > image.LastIndexOf('/') ? image[(image.LastIndexOf(':') + 1)..] : "latest";
        c["imagePullPolicy"] ??= tag == "latest" ? "Always" : "IfNotPresent";
        if (c["ports"] is JsonArray ports)
            foreach (var p in ports.OfType<JsonObject>()) p["protocol"] ??= "TCP";
    }
}
