using Mesh.Sign;
using Mesh.Tests.EndToEnd;

namespace Mesh.Tests.Sign;

/// <summary>SignOptions reports every configuration error at once, naming the setting and the expected format.</summary>
public sealed class SignOptionsValidation
{
    [Fact]
    public void Validate_MalformedKekAndNegativeLifetime_ReportsBoth()
    {
        var options = new SignOptions { KeyEncryptionKey = "AAAA", SignatureLifetime = TimeSpan.FromMinutes(-1) };

        var errors = options.Validate().ToList();

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Contains("Mesh:Sign:KeyEncryptionKey decodes to 3 bytes", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Mesh:Sign:SignatureLifetime must be positive", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NegativeRetireAfter_Reported()
    {
        var options = new SignOptions { KeyEncryptionKey = MeshStack.KeyEncryptionKey, RetireAfter = TimeSpan.FromHours(-1) };

        var error = Assert.Single(options.Validate());

        Assert.Contains("Mesh:Sign:RetireAfter must not be negative", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Base64Of32BytesAndNoLifetime_IsValid()
    {
        var options = new SignOptions { KeyEncryptionKey = MeshStack.KeyEncryptionKey };

        Assert.Empty(options.Validate());
        Assert.Equal(32, options.KeyEncryptionKeyBytes().Length);
    }
}
