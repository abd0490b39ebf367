using System.Security.Cryptography;
using System.Text;
using Mesh.Sign;
using Mesh.Store;
using Mesh.Tests.EndToEnd;
using Org.BouncyCastle.Crypto.Parameters;
using StackExchange.Redis;
using Fields = Mesh.Sign.DkimKeyStore.Fields;

namespace Mesh.Tests.Sign;

/// <summary>
/// DKIM private keys in the store are AES-GCM blobs under the KEK, bound to (tenant, domain, selector):
/// no PEM, no plaintext key, useless without the KEK, with another KEK or under another tenant.
/// </summary>
public sealed class KeysEncryptedAtRest
{
    [Fact]
    public async Task AddDomain_KeysInStore_EncryptedUnderKekAndBoundToTenant()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Redis).DefaultTimeout();
        var tenant = await stack.CreateTenantAsync("vault.example").DefaultTimeout();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis!.ConnectionString).DefaultTimeout();
        var db = redis.GetDatabase();

        var entries = (await db.HashGetAllAsync(Keys.DkimKey(tenant.Id, "vault.example")).DefaultTimeout())
            .ToDictionary(e => e.Name.ToString(), e => (byte[])e.Value!);
        Assert.Equal(
            [Fields.EdKey, Fields.EdPublic, Fields.EdSelector, Fields.RsaKey, Fields.RsaPublic, Fields.RsaSelector],
            entries.Keys.Order());
        foreach (var (name, value) in entries)
        {
            var text = Encoding.Latin1.GetString(value);
            Assert.DoesNotContain("-----BEGIN", text);
            Assert.DoesNotContain("PRIVATE KEY", text);
        }

        var kek = new KeyEncryption(Convert.FromBase64String(MeshStack.KeyEncryptionKey));
        var rsaContext = KeyEncryption.KeyContext(tenant.Id, "vault.example", tenant.Dkim.DkimSelector, DkimKeyStore.RsaAlgorithm);
        var edContext = KeyEncryption.KeyContext(tenant.Id, "vault.example", tenant.Dkim.DkimEd25519Selector, DkimKeyStore.Ed25519Algorithm);

        // With the KEK the blobs open to the keys behind the published records...
        var rsaPrivate = kek.Open(entries[Fields.RsaKey], rsaContext);
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(rsaPrivate, out _);
        Assert.Equal("v=DKIM1; k=rsa; p=" + Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()), tenant.Dkim.DkimRecordValue);
        var edSeed = kek.Open(entries[Fields.EdKey], edContext);
        var edPublic = new Ed25519PrivateKeyParameters(edSeed).GeneratePublicKey().GetEncoded();
        Assert.Equal("v=DKIM1; k=ed25519; p=" + Convert.ToBase64String(edPublic), tenant.Dkim.DkimEd25519RecordValue);

        // ...which appear nowhere in the store as plaintext, nor in the admin API's answer...
        Assert.All(entries.Values, value => Assert.Equal(-1, value.AsSpan().IndexOf(rsaPrivate)));
        Assert.All(entries.Values, value => Assert.Equal(-1, value.AsSpan().IndexOf(edSeed)));
        Assert.Throws<CryptographicException>(() => RSA.Create().ImportPkcs8PrivateKey(entries[Fields.RsaKey], out _));
        var answer = tenant.Dkim.ToString();
        Assert.DoesNotContain(Convert.ToBase64String(rsaPrivate), answer);
        Assert.DoesNotContain(Convert.ToBase64String(edSeed), answer);

        // ...and that nothing opens without this KEK, or for another tenant, domain or selector.
        var otherKek = new KeyEncryption(RandomNumberGenerator.GetBytes(KeyEncryption.KeySize));
        Assert.ThrowsAny<CryptographicException>(() => otherKek.Open(entries[Fields.RsaKey], rsaContext));
        Assert.ThrowsAny<CryptographicException>(() => otherKek.Open(entries[Fields.EdKey], edContext));
        var otherTenant = KeyEncryption.KeyContext("t_other", "vault.example", tenant.Dkim.DkimSelector, DkimKeyStore.RsaAlgorithm);
        Assert.ThrowsAny<CryptographicException>(() => kek.Open(entries[Fields.RsaKey], otherTenant));
        var otherDomain = KeyEncryption.KeyContext(tenant.Id, "other.example", tenant.Dkim.DkimEd25519Selector, DkimKeyStore.Ed25519Algorithm);
        Assert.ThrowsAny<CryptographicException>(() => kek.Open(entries[Fields.EdKey], otherDomain));
    }

    [Fact]
    public async Task Sign_KeyCopiedToAnotherTenant_RefusedNotSigned()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Redis).DefaultTimeout();
        var owner = await stack.CreateTenantAsync("moved.example").DefaultTimeout();
        var thief = await stack.CreateTenantAsync("thief.example").DefaultTimeout();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Redis!.ConnectionString).DefaultTimeout();
        var db = redis.GetDatabase();
        var stolen = await db.HashGetAllAsync(Keys.DkimKey(owner.Id, "moved.example")).DefaultTimeout();
        await db.HashSetAsync(Keys.DkimKey(thief.Id, "moved.example"), stolen).DefaultTimeout();

        var sign = new Mesh.Sign.V1.Sign.SignClient(stack.Channel);
        var request = new Mesh.Sign.V1.SignRequest
        {
            TenantId = thief.Id,
            Domain = "moved.example",
            Mime = Google.Protobuf.ByteString.CopyFromUtf8("From: a@moved.example\r\nTo: b@example.net\r\nSubject: x\r\n\r\nhi\r\n"),
        };
        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => sign.SignAsync(request).ResponseAsync.DefaultTimeout());
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("cannot be decrypted", error.Status.Detail);

        request.TenantId = owner.Id;
        var signed = await sign.SignAsync(request).ResponseAsync.DefaultTimeout();
        Assert.Equal(2, DkimCheck.VerifyEach(signed.Mime.ToByteArray(), owner.Dkim).Count(r => r.Verified));
    }
}
