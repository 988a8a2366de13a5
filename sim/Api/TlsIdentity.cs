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
    public required X509Certificate2 Server { get; init; }

    public string CaPem => Ca.ExportCertificatePem();

    public static TlsIdentity Create()
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
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
        return new TlsIdentity { Ca = X509CertificateLoader.LoadCertificate(ca.Export(X509ContentType.Cert)), Server = server };
    }
}
