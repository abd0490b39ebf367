using System.Security.Cryptography;
using Mesh.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Mesh.Sign;

/// <summary>
/// Stops the sign service at start-up when its key-encryption key is not the one that encrypted
/// the store's DKIM keys. The first start writes a known marker encrypted under the KEK (a key
/// check value); every later start must be able to open it. Without this, a wrong KEK would only
/// show when the first message fails to sign.
/// </summary>
public sealed class KeyCheck(MeshStore store, KeyEncryption encryption, ILogger<KeyCheck> logger) : IHostedService
{
    private static readonly byte[] Marker = "Mesh DKIM key-encryption key check v1"u8.ToArray();
    private static readonly byte[] Context = KeyEncryption.Context("kek-check");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var sealedMarker = encryption.Seal(Marker, Context);
        if (await store.Database.StringSetAsync(Keys.DkimKekCheck, sealedMarker, when: When.NotExists))
        {
            Log.KeyCheckWritten(logger, Keys.DkimKekCheck.ToString());
            return;
        }

        byte[] stored = (await store.Database.StringGetAsync(Keys.DkimKekCheck))!;
        try
        {
            if (encryption.Open(stored, Context).AsSpan().SequenceEqual(Marker))
            {
                return;
            }
        }
        catch (CryptographicException)
        {
            // Reported below: the tag did not match, which is what a different KEK looks like.
        }

        Log.WrongKeyEncryptionKey(logger, Keys.DkimKekCheck.ToString());
        throw new InvalidOperationException(
            $"{SignOptions.Section}:KeyEncryptionKey is not the key that encrypted the DKIM keys in this store " +
            $"(the key check value at '{Keys.DkimKekCheck}' does not decrypt). Start the sign service with the original " +
            "key-encryption key; the stored DKIM keys cannot be used without it.");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
