using System.Net;
using Mesh.AllInOne;
using Mesh.Tests.EndToEnd;
using Microsoft.Extensions.Options;

namespace Mesh.Tests.Sign;

/// <summary>
/// The sign service will not start without a usable key-encryption key: a missing or malformed one fails
/// options validation, and a well-formed one that is not this store's fails the key check.
/// </summary>
public sealed class StartupRefusesBadKek
{
    [Theory]
    [InlineData(null, "Mesh:Sign:KeyEncryptionKey is required")]
    [InlineData("", "Mesh:Sign:KeyEncryptionKey is required")]
    [InlineData("not base64!", "Mesh:Sign:KeyEncryptionKey is not valid base64")]
    [InlineData("AAECAwQFBgcICQoLDA0ODw==", "Mesh:Sign:KeyEncryptionKey decodes to 16 bytes")]
    public async Task Start_KekMissingOrMalformed_FailsWithClearError(string? kek, string expected)
    {
        await using var redis = await RedisServer.StartAsync().DefaultTimeout();
        var settings = Settings(redis, kek);

        await using var app = AllInOneHost.Build([], settings);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync().DefaultTimeout());

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task Start_KekOfAnotherStore_FailsWithClearError()
    {
        await using var redis = await RedisServer.StartAsync().DefaultTimeout();
        await using (var first = AllInOneHost.Build([], Settings(redis, MeshStack.KeyEncryptionKey)))
        {
            // The first start on an empty store writes the key check value under its KEK.
            await first.StartAsync().DefaultTimeout();
            await first.StopAsync().DefaultTimeout();
        }

        var otherKek = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray());
        await using (var second = AllInOneHost.Build([], Settings(redis, otherKek)))
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync().DefaultTimeout());
            Assert.Contains("Mesh:Sign:KeyEncryptionKey is not the key that encrypted the DKIM keys in this store", error.Message);
        }

        await using var third = AllInOneHost.Build([], Settings(redis, MeshStack.KeyEncryptionKey));
        await third.StartAsync().DefaultTimeout();
        await third.StopAsync().DefaultTimeout();
    }

    private static Dictionary<string, string?> Settings(RedisServer redis, string? kek)
    {
        var url = $"http://127.0.0.1:{FreePort.Pick(IPAddress.Loopback)}";
        var settings = MeshStack.ProviderSettings(url, redis.ConnectionString, Path.Combine(Path.GetTempPath(), "mesh-test-unused"));
        settings["Mesh:Sign:KeyEncryptionKey"] = kek;
        return settings;
    }
}
