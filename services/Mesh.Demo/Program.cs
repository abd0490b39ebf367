using System.Net;
using System.Net.Sockets;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Admin.V1;
using Mesh.Agent;
using Mesh.AllInOne;
using Mesh.Loopback;
using Mesh.Events.V1;
using Mesh.Gateway.V1;
using Microsoft.Extensions.Hosting;
using MimeKit;

// The demo: the all-in-one provider on the embedded store, one agent delivering from 127.0.0.2,
// and a receiving SMTP server on 127.0.0.1. One templated message goes through the gRPC API.
var timeout = TimeSpan.FromSeconds(60);
var dataDir = Path.Combine(Path.GetTempPath(), "mesh-demo-" + Environment.ProcessId);
var port = FreePort();
var url = $"http://127.0.0.1:{port}";
const string adminKey = "demo-admin-key";
var quiet = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Warning", ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning" };

var settings = AllInOneHost.SelfHostedOn(url);
foreach (var (key, value) in quiet)
{
    settings[key] = value;
}

settings["Mesh:Store:DataDir"] = dataDir;
settings["Mesh:Gateway:AdminKey"] = adminKey;
// A fresh key-encryption key per run: the demo's store lives in a temporary folder.
settings["Mesh:Sign:KeyEncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
var provider = AllInOneHost.Build([], settings);
await provider.StartAsync();
Console.WriteLine($"provider (all-in-one, embedded Garnet store in {dataDir}) listening on {url}");

var receiverEndpoint = new IPEndPoint(IPAddress.Loopback, FreePort());
await using var receiver = new LoopbackReceiver(receiverEndpoint);
Console.WriteLine($"receiving SMTP server on {receiverEndpoint}");

using var channel = GrpcChannel.ForAddress(url);
var admin = new Admin.AdminClient(channel);
var adminHeaders = new Metadata { { "authorization", "Bearer " + adminKey } };
var tenant = await admin.CreateTenantAsync(new CreateTenantRequest { Name = "Demo Ltd", TestMode = true }, adminHeaders);
var domain = await admin.AddDomainAsync(new Mesh.Admin.V1.AddDomainRequest { TenantId = tenant.TenantId, Domain = "demo.example" }, adminHeaders);
var apiKey = await admin.CreateApiKeyAsync(new CreateApiKeyRequest { TenantId = tenant.TenantId }, adminHeaders);
var agentToken = await admin.CreateAgentTokenAsync(new CreateAgentTokenRequest { TenantId = tenant.TenantId }, adminHeaders);
Console.WriteLine($"tenant {tenant.TenantId}; publish TXT {domain.DkimRecordName} (rsa) and {domain.DkimEd25519RecordName} (ed25519)");

using var agent = AgentHost.Build([], new Dictionary<string, string?>(quiet)
{
    ["Agent:DispatchUrl"] = url,
    ["Agent:Token"] = agentToken.Secret,
    ["Agent:AgentId"] = "demo-agent",
    ["Agent:JournalPath"] = Path.Combine(dataDir, "agent-journal"),
    ["Agent:Policy:AllowedSenderDomains:0"] = "demo.example",
    ["Agent:Delivery:SourceAddress"] = "127.0.0.2",
    ["Agent:Delivery:EhloName"] = "agent.demo.example",
    ["Agent:Delivery:AllowPrivateDestinations"] = "true",
    ["Agent:Delivery:StaticRoutes:example.net"] = receiverEndpoint.ToString(),
});
await agent.StartAsync();
Console.WriteLine("agent connected from 127.0.0.2");

var mail = new Mail.MailClient(channel);
var headers = new Metadata { { "authorization", "Bearer " + apiKey.Secret } };
var events = mail.StreamEvents(new StreamEventsRequest(), headers);
var sent = await mail.SendAsync(new SendRequest
{
    From = new Address { Email = "hello@demo.example", Name = "Demo Ltd" },
    To = { new Recipient { Address = new Address { Email = "ana@example.net", Name = "Ana" }, Variables = new Struct { Fields = { ["name"] = Value.ForString("Ana") } } } },
    Content = new Content
    {
        Subject = "Welcome aboard, {{name}}",
        Html = "<h1>Hello {{name}}!</h1><p>Your order <b>{{order}}</b> ships today.</p>",
    },
    Variables = new Struct { Fields = { ["order"] = Value.ForString("#1042") } },
}, headers);
var id = sent.Deliveries[0].MessageId;
Console.WriteLine($"Send answered OK: message {id}");

var (remote, data) = await receiver.NextAsync(timeout);
Event? delivered = null;
using (var wait = new CancellationTokenSource(timeout))
{
    await foreach (var evt in events.ResponseStream.ReadAllAsync(wait.Token))
    {
        Console.WriteLine($"event #{evt.Cursor}: {evt.Type} attempt {evt.Attempt} {evt.Details?.Reply}");
        if (evt.MessageId == id && evt.Type is EventType.Delivered or EventType.Bounced or EventType.Deferred)
        {
            delivered = evt;
            break;
        }
    }
}

var message = MimeMessage.Load(new MemoryStream(data));
// Each DKIM-Signature (rsa-sha256 and ed25519-sha256) against the record published for its selector.
var records = new Dictionary<string, string>
{
    [domain.DkimSelector] = domain.DkimRecordValue,
    [domain.DkimEd25519Selector] = domain.DkimEd25519RecordValue,
};
var verifier = new MimeKit.Cryptography.DkimVerifier(new PublishedKeys(records));
var signatures = message.Headers.Where(h => h.Id == HeaderId.DkimSignature)
    .Select(h => (Tags: h.Value, Pass: verifier.Verify(message, h)))
    .ToList();
var verified = signatures.Count == 2 && signatures.All(s => s.Pass);

Console.WriteLine();
Console.WriteLine("===== message as received =====");
Console.WriteLine(System.Text.Encoding.UTF8.GetString(data).TrimEnd());
Console.WriteLine("===============================");
Console.WriteLine($"arrived from source address: {remote.Address}");
foreach (var (tags, pass) in signatures)
{
    var algorithm = tags.Contains("ed25519-sha256", StringComparison.Ordinal) ? "ed25519-sha256" : "rsa-sha256";
    Console.WriteLine($"DKIM {algorithm} (d={domain.Name}) verification: {(pass ? "pass" : "FAIL")}");
}

Console.WriteLine($"delivered event: {delivered?.Type}, reply \"{delivered?.Details?.SmtpCode} {delivered?.Details?.Reply}\"");

events.Dispose();
await agent.StopAsync();
await provider.StopAsync();
await provider.DisposeAsync();
Directory.Delete(dataDir, recursive: true);
return verified && remote.Address.Equals(IPAddress.Parse("127.0.0.2")) && delivered?.Type == EventType.Delivered ? 0 : 1;

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

/// <summary>Answers DKIM key lookups with the TXT records the admin API told us to publish, by selector.</summary>
internal sealed class PublishedKeys(IReadOnlyDictionary<string, string> records) : MimeKit.Cryptography.DkimPublicKeyLocatorBase
{
    public override Org.BouncyCastle.Crypto.AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
        GetPublicKey(records[selector]);

    public override Task<Org.BouncyCastle.Crypto.AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
        Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
}
