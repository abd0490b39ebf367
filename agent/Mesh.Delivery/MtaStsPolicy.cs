namespace Mesh.Delivery;

/// <summary>An MTA-STS policy (RFC 8461 §3.2).</summary>
public sealed record MtaStsPolicy(string Mode, IReadOnlyList<string> MxPatterns, TimeSpan MaxAge)
{
    public bool Enforce => Mode == "enforce";

    /// <summary>RFC 8461 §4.1: an MX matches a pattern exactly, or "*." matches one leftmost label.</summary>
    public bool Allows(string mxHost)
    {
        var host = mxHost.TrimEnd('.').ToLowerInvariant();
        return MxPatterns.Any(pattern => pattern.StartsWith("*.", StringComparison.Ordinal)
            ? host.IndexOf('.') is var dot and > 0 && host[(dot + 1)..] == pattern[2..]
            : host == pattern);
    }

    /// <summary>Parses the policy text (key: value lines); null when it is not a valid STSv1 policy.</summary>
    public static MtaStsPolicy? Parse(string text)
    {
        var pairs = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Contains(':'))
            .Select(l => (Key: l[..l.IndexOf(':')].Trim().ToLowerInvariant(), Value: l[(l.IndexOf(':') + 1)..].Trim())).ToList();
        string? One(string key) => pairs.FirstOrDefault(p => p.Key == key).Value;
        var mode = One("mode")?.ToLowerInvariant();
        if (One("version") != "STSv1" || mode is not ("enforce" or "testing" or "none") || !long.TryParse(One("max_age"), out var maxAge))
        {
            return null;
        }

        var mx = pairs.Where(p => p.Key == "mx").Select(p => p.Value.TrimEnd('.').ToLowerInvariant()).ToList();
        return new MtaStsPolicy(mode, mx, TimeSpan.FromSeconds(Math.Clamp(maxAge, 0, 31_557_600)));
    }
}
