using System.Net;
using System.Security.Cryptography;
using Mesh.Delivery;
using Mesh.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Tests.Delivery;

/// <summary>
/// example.net with an MTA-STS policy: DNS (MX, A, the _mta-sts TXT) from a local DNS server, the
/// policy from a real HTTPS server (Kestrel) at mta-sts.example.net, and an MX offering STARTTLS
/// with a certificate no system trusts.
/// </summary>
public sealed class MtaStsFixture : IAsyncDisposable
{
    private readonly WebApplication _policyHost;
    private readonly LocalDnsServer _dns;

    private MtaStsFixture(WebApplication policyHost, LocalDnsServer dns, TlsSmtpServer mx, int policyPort, string policyThumbprint)
    {
        _policyHost = policyHost;
        _dns = dns;
        Mx = mx;
        PolicyPort = policyPort;
        PolicyThumbprint = policyThumbprint;
    }

    public TlsSmtpServer Mx { get; }

    public int PolicyPort { get; }

    public string PolicyThumbprint { get; }

    public static async Task<MtaStsFixture> StartAsync(string mode, string mxPattern)
    {
        var mx = await TlsSmtpServer.StartAsync(IPAddress.Parse("127.0.0.21"), "mx.example.net");
        var dns = LocalDnsServer.Start(
            LocalDnsServer.Mx("example.net", 10, "mx.example.net"),
            LocalDnsServer.A("mx.example.net", "127.0.0.21"),
            LocalDnsServer.Txt("_mta-sts.example.net", "v=STSv1; id=20261204"),
            LocalDnsServer.A("mta-sts.example.net", "127.0.0.22"));

        var certificate = TlsSmtpServer.SelfSigned("mta-sts.example.net");
        var port = FreePort.Pick(IPAddress.Parse("127.0.0.22"));
        var builder = WebApplication.CreateSlimBuilder();
        // Not the provider's appsettings.json that the build copies next to the tests.
        ((Microsoft.Extensions.Configuration.IConfigurationBuilder)builder.Configuration).Sources.Clear();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse("127.0.0.22"), port, l => l.UseHttps(certificate)));
        var app = builder.Build();
        app.MapGet("/.well-known/mta-sts.txt", () => Results.Text($"version: STSv1\r\nmode: {mode}\r\nmx: {mxPattern}\r\nmax_age: 86400\r\n", "text/plain"));
        await app.StartAsync().DefaultTimeout();
        return new MtaStsFixture(app, dns, mx, port, certificate.GetCertHashString(HashAlgorithmName.SHA256));
    }

    /// <summary>The engine, resolving through the local DNS and trusting only the policy host's certificate.</summary>
    public SmtpDeliverer Engine()
    {
        var options = new DeliveryOptions
        {
            SourceAddress = "127.0.0.2",
            AllowPrivateDestinations = true,
            SmtpPort = Mx.EndPoint.Port,
            NameServers = [_dns.EndPoint.ToString()],
            MtaSts = new MtaStsOptions { PolicyPort = PolicyPort, PolicyCertificateThumbprints = [PolicyThumbprint] },
        };
        return Delivery.Engine.Create(options);
    }

    public async ValueTask DisposeAsync()
    {
        await _policyHost.StopAsync().DefaultTimeout();
        await _policyHost.DisposeAsync();
        _dns.Dispose();
        await Mx.DisposeAsync();
    }
}
