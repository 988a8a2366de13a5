using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TwisterLab.KubeSim.Api;

/// <summary>
/// The simulator's own PKI, made at start when HTTPS is on: a CA, and a server certificate it signs for 127.0.0.1 and
/// localhost (as kubeadm's apiserver certificate names its addresses). The kubeconfig carries the CA as
/// certificate-authority-data, so clients verify the server as they would a real cluster's.
/// </summary>
internal sealed class TlsIdentity
{
    public required X509Certificate2 Ca { get; init; }

    /// <summary>The CA's key, kept to sign client certificates (<see cref="IssueClient"/>).</summary>
    public required ECDsa CaKey { get; init; }
    public required X509Certificate2 Server { get; init; }

    public string CaPem => Ca.ExportCertificatePem();

    public static TlsIdentity Create()
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=kubesim-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var ca = caRequest.CreateSelfSigned(now, now.AddYears(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=kube-apiserver", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        names.AddDnsName("kubernetes");
        names.AddDnsName("kubernetes.default.svc");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = serverRequest.Create(ca, now, now.AddYears(1), serial);
        using var withKey = signed.CopyWithPrivateKey(serverKey);
        // Re-imported from PKCS#12 so that SslStream on Linux can use the (otherwise ephemeral) key.
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return new TlsIdentity { Ca = X509CertificateLoader.LoadCertificate(ca.Export(X509ContentType.Cert)), CaKey = caKey, Server = server };
    }

    /// <summary>
    /// A client certificate for <paramref name="user"/> with <paramref name="groups"/> as its organizations, as kubeadm
    /// writes the admin's (CN=kubernetes-admin, O=kubeadm:cluster-admins). Returns the certificate and key in PEM.
    /// </summary>
    public (string CertificatePem, string KeyPem) IssueClient(string user, IEnumerable<string> groups)
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var group in groups) subject.AddOrganizationName(group);
        subject.AddCommonName(user);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signer = Ca.CopyWithPrivateKey(CaKey);
        using var certificate = request.Create(signer, now, Ca.NotAfter.ToUniversalTime(), serial);
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Whether <paramref name="certificate"/> is a client certificate this CA signed and that is valid now.</summary>
    public bool IssuedByCa(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        return chain.Build(certificate);
    }
}
