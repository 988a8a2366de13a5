namespace TwisterLab.KubeSim;

/// <summary>The credentials a kubeconfig written by <see cref="SimulatedCluster.WriteKubeconfig(string, KubeconfigUser)"/> carries.</summary>
public sealed record KubeconfigUser
{
    public string? Token { get; init; }
    public string? CertificatePem { get; init; }
    public string? KeyPem { get; init; }

    /// <summary>The admin token every simulator kubeconfig carries by default.</summary>
    public static KubeconfigUser Admin { get; } = new() { Token = Api.Authentication.AdminToken };

    public static KubeconfigUser WithToken(string token) => new() { Token = token };

    public static KubeconfigUser WithCertificate(string certificatePem, string keyPem) => new() { CertificatePem = certificatePem, KeyPem = keyPem };
}
