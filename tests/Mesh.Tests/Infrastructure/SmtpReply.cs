using System.Globalization;

namespace Mesh.Tests.Infrastructure;

/// <summary>An SMTP reply: a three-digit code and its text, e.g. <c>451 4.3.0 Try again later</c>.</summary>
public sealed record SmtpReply(int Code, string Text)
{
    /// <summary>Parses <c>"451 4.3.0 Try again later"</c>.</summary>
    public static SmtpReply Parse(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var code = space < 0 ? line : line[..space];
        if (code.Length != 3 || !int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"'{line}' does not start with a three-digit SMTP reply code.");
        }

        return new SmtpReply(value, space < 0 ? string.Empty : line[(space + 1)..]);
    }

    public override string ToString() => $"{Code} {Text}";
}
