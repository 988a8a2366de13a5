namespace TwisterLab.KubeSim.Tests.Parity;

/// <summary>The manifests the parity cases apply, as an operator would type them.</summary>
public static class ParityManifests
{
    public static string Deployment(string name, int replicas, string image = "nginx:1.27", string extraPodSpec = "") => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{name}}
        spec:
          replicas: {{replicas}}
          selector:
            matchLabels: {app: {{name}}}
          template:
            metadata:
              labels: {app: {{name}}}
            spec:
        {{extraPodSpec}}
              containers:
              - name: app
                image: {{image}}
        """;

    /// <summary>A ClusterIP Service selecting the pods of the Deployment <paramref name="name"/>.</summary>
    public static string Service(string name, int port, int targetPort) => $$"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {{name}}
        spec:
          selector: {app: {{name}}}
          ports:
          - port: {{port}}
            targetPort: {{targetPort}}
        """;

    public static string ConfigMap(string name, string value = "1") => $$"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{name}}
        data:
          key: "{{value}}"
        """;

    public static string Job(string name, string script, int backoffLimit = 0, string extraSpec = "") => $$"""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {{name}}
        spec:
          backoffLimit: {{backoffLimit}}
        {{extraSpec}}
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: migrate
                image: busybox:1.36
                command: ["sh", "-c", "{{script}}"]
        """;

    public static string CronJob(string name) => $$"""
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: {{name}}
        spec:
          schedule: "*/5 * * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers:
                  - name: tick
                    image: busybox:1.36
                    command: ["sh", "-c", "echo tick"]
        """;

    public static string StatefulSet(string name, int replicas, string image = "postgres:15") => $$"""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: {{name}}
        spec:
          serviceName: {{name}}
          replicas: {{replicas}}
          selector:
            matchLabels: {app: {{name}}}
          template:
            metadata:
              labels: {app: {{name}}}
            spec:
              containers:
              - name: db
                image: {{image}}
        """;

    public static string DaemonSet(string name, string image) => $$"""
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: {{name}}
        spec:
          selector:
            matchLabels: {app: {{name}}}
          template:
            metadata:
              labels: {app: {{name}}}
            spec:
              containers:
              - name: agent
                image: {{image}}
        """;

    public static string Pod(string name, string image, string command = "", string restartPolicy = "Always") => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
        spec:
          restartPolicy: {{restartPolicy}}
          containers:
          - name: app
            image: {{image}}
        {{(command.Length == 0 ? "" : $"    command: [\"sh\", \"-c\", \"{command}\"]")}}
        """;

    public const string RoleAndBinding = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: deployer
        rules:
        - apiGroups: ["apps"]
          resources: ["deployments"]
          verbs: ["get", "list", "patch"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: deployer
        subjects:
        - kind: User
          name: deployer
          apiGroup: rbac.authorization.k8s.io
        roleRef:
          kind: Role
          name: deployer
          apiGroup: rbac.authorization.k8s.io
        """;

    /// <summary>A Role that may read and patch Deployments, bound to the ServiceAccount deployer of <paramref name="ns"/>.</summary>
    public static string DeployerRole(string ns) => $$"""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: deployer
          namespace: {{ns}}
        rules:
        - apiGroups: ["apps"]
          resources: ["deployments"]
          verbs: ["get", "list", "patch"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: deployer
          namespace: {{ns}}
        subjects:
        - kind: ServiceAccount
          name: deployer
        roleRef:
          kind: Role
          name: deployer
          apiGroup: rbac.authorization.k8s.io
        """;

    public const string NodeReaderForDevelopers = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: node-reader
        rules:
        - apiGroups: [""]
          resources: ["nodes"]
          verbs: ["get", "list", "watch"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: developers-read-nodes
        subjects:
        - kind: Group
          name: developers
          apiGroup: rbac.authorization.k8s.io
        roleRef:
          kind: ClusterRole
          name: node-reader
          apiGroup: rbac.authorization.k8s.io
        """;

    public const string Crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """;

    public const string NodePortService = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: NodePort
          selector: {app: web}
          ports:
          - port: 80
            targetPort: 80
        """;
}
