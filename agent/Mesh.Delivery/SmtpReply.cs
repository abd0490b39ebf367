using System.Text.RegularExpressions;

namespace Mesh.Delivery;

/// <summary>Reads the RFC 3463 enhanced status code at the start of a reply text.</summary>
internal static partial class SmtpReply
{
    public static string EnhancedCode(string? text)
    {
        var match = text is null ? null : EnhancedCodePattern().Match(text);
        return match is { Success: true } ? match.Value : string.Empty;
    }

    [GeneratedRegex(@"^[245]\.\d{1,3}\.\d{1,3}")]
    private static partial Regex EnhancedCodePattern();
}
