namespace TwisterLab.Cake.Steps;

/// <summary>
/// A step that installs the application into a namespace that does not have it yet (Compose -> Kubernetes). Preflight
/// then checks the cluster's own version only: there is no API deployment to find and no pod to ask for versions.
/// </summary>
public interface IInstallsApplication;
