using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Delivery;
using Mesh.Schedule.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Mesh.Tests.Delivery;

/// <summary>
/// Smarthost mode: every message goes to the customer's relay (a real SmtpServer with STARTTLS and
/// AUTH required), over TLS with a pinned certificate, authenticated; wrong credentials defer.
/// </summary>
public sealed class SmarthostWithAuth
{
    [Theory]
    [InlineData("s3cret", Outcome.Delivered)]
    [InlineData("wrong", Outcome.Deferred)]
    public async Task Deliver_ThroughRelayWithAuthOverTls(string password, Outcome expected)
    {
        using var certificate = CreateCertificate();
        var relay = new Relay();
        var port = FreePort.Pick(IPAddress.Loopback);
        var serverOptions = new SmtpServerOptionsBuilder().ServerName("relay.test")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port)).AllowUnsecureAuthentication(false).AuthenticationRequired(true).Certificate(certificate))
            .Build();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listeners = new SmtpServer.Net.EndpointListenerFactory();
        listeners.EndpointStarted += (_, _) => listening.TrySetResult();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add((IMessageStore)relay);
        services.Add((IUserAuthenticator)relay);
        using var stop = new CancellationTokenSource();
        var running = new SmtpServer.SmtpServer(serverOptions, services).StartAsync(stop.Token);
        await listening.Task.DefaultTimeout();

        var options = Options.Create(new DeliveryOptions
        {
            SourceAddress = "127.0.0.2",
            EhloName = "agent.test",
            Smarthost = new SmarthostOptions
            {
                Host = "127.0.0.1",
                Port = port,
                Username = "agent",
                Password = password,
                ServerCertificateThumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256),
            },
        });
        await using (var engine = new SmtpDeliverer(new DnsMailRouter(options), options, TimeProvider.System, NullLogger<SmtpDeliverer>.Instance))
        {
            var result = Assert.Single(await engine.DeliverAsync(Engine.Message("ana@far-away.example"), CancellationToken.None).DefaultTimeout());

            Assert.Equal(expected, result.Outcome);
            if (expected == Outcome.Delivered)
            {
                Assert.NotEmpty(result.Details.TlsProtocol);
                Assert.Equal(["agent"], relay.Users);
                Assert.Equal(1, relay.Messages);
            }
            else
            {
                Assert.Equal(0, relay.Messages);
            }
        }

        await stop.CancelAsync();
        await running.DefaultTimeout();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=relay.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    private sealed class Relay : MessageStore, IUserAuthenticator
    {
        private int _messages;

        public List<string> Users { get; } = [];

        public int Messages => Volatile.Read(ref _messages);

        public Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
        {
            var ok = user == "agent" && password == "s3cret";
            if (ok)
            {
                lock (Users)
                {
                    Users.Add(user);
                }
            }

            return Task.FromResult(ok);
        }

        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _messages);
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
