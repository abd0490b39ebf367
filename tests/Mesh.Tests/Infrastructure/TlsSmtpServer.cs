using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Mesh.Tests.Infrastructure;

/// <summary>
/// A real SMTP server (SmtpServer package) offering STARTTLS with a self-signed certificate, and
/// requiring AUTH when <c>user</c>/<c>password</c> are given. Counts the messages it accepts.
/// </summary>
public sealed class TlsSmtpServer : MessageStore, IUserAuthenticator, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly (string User, string Password)? _account;
    private Task _running = Task.CompletedTask;
    private int _messages;

    private TlsSmtpServer(X509Certificate2 certificate, (string, string)? account)
    {
        Certificate = certificate;
        _account = account;
    }

    public X509Certificate2 Certificate { get; }

    public IPEndPoint EndPoint { get; private set; } = null!;

    public int Messages => Volatile.Read(ref _messages);

    public List<string> AuthenticatedUsers { get; } = [];

    public static async Task<TlsSmtpServer> StartAsync(IPAddress address, string certificateName, (string User, string Password)? account = null, int? port = null)
    {
        var server = new TlsSmtpServer(SelfSigned(certificateName), account);
        server.EndPoint = new IPEndPoint(address, port ?? FreePort.Pick(address));
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listeners = new SmtpServer.Net.EndpointListenerFactory();
        listeners.EndpointStarted += (_, _) => listening.TrySetResult();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add((IMessageStore)server);
        services.Add((IUserAuthenticator)server);
        var options = new SmtpServerOptionsBuilder().ServerName(certificateName)
            .Endpoint(b => b.Endpoint(server.EndPoint).AllowUnsecureAuthentication(false).AuthenticationRequired(account is not null).Certificate(server.Certificate))
            .Build();
        server._running = new SmtpServer.SmtpServer(options, services).StartAsync(server._stop.Token);
        await listening.Task.DefaultTimeout();
        return server;
    }

    /// <summary>A self-signed certificate for <paramref name="name"/>: encrypts, but no system trusts it.</summary>
    public static X509Certificate2 SelfSigned(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    public Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
    {
        var ok = _account is { } account && user == account.User && password == account.Password;
        if (ok)
        {
            lock (AuthenticatedUsers)
            {
                AuthenticatedUsers.Add(user);
            }
        }

        return Task.FromResult(ok);
    }

    public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _messages);
        return Task.FromResult(SmtpResponse.Ok);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.DefaultTimeout();
        Certificate.Dispose();
    }
}
