using System.Text;
using MimeKit.Text;

namespace Mesh.Render;

/// <summary>
/// Derives the text/plain alternative from HTML with MimeKit's HtmlTokenizer: the text content,
/// a line break at block elements, link targets kept in brackets, and no script or style.
/// </summary>
public static class HtmlText
{
    private static readonly HashSet<string> BlockTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "hr",
    };

    public static string Convert(string html)
    {
        var text = new StringBuilder();
        var tokenizer = new HtmlTokenizer(new StringReader(html));
        string? href = null;
        var skip = 0;
        while (tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                case HtmlDataToken data when skip == 0:
                    text.Append(data.Data);
                    break;
                case HtmlTagToken tag when tag.Name is "script" or "style":
                    skip += tag.IsEndTag ? -1 : 1;
                    break;
                case HtmlTagToken tag when tag.Id == HtmlTagId.A && !tag.IsEndTag:
                    href = tag.Attributes.FirstOrDefault(a => a.Id == HtmlAttributeId.Href)?.Value;
                    break;
                case HtmlTagToken tag when tag.Id == HtmlTagId.A && tag.IsEndTag:
                    if (!string.IsNullOrEmpty(href))
                    {
                        text.Append(" [").Append(href).Append(']');
                    }

                    href = null;
                    break;
                case HtmlTagToken tag when BlockTags.Contains(tag.Name):
                    text.Append('\n');
                    break;
            }
        }

        var lines = text.ToString().Split('\n').Select(l => string.Join(' ', l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        return string.Join("\r\n", CollapseBlankLines(lines)).Trim() + "\r\n";
    }

    private static IEnumerable<string> CollapseBlankLines(IEnumerable<string> lines)
    {
        var blank = false;
        foreach (var line in lines)
        {
            if (line.Length == 0)
            {
                if (!blank)
                {
                    yield return line;
                }

                blank = true;
                continue;
            }

            blank = false;
            yield return line;
        }
    }
}
