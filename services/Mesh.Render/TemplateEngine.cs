using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using HandlebarsDotNet;

namespace Mesh.Render;

/// <summary>
/// Handlebars (what SES, SendGrid and Mailgun speak), through Handlebars.Net. HTML templates
/// escape values; subject and text templates do not. Compiled templates are cached by source.
/// </summary>
public sealed class TemplateEngine
{
    private const int MaxCached = 1024;
    private readonly IHandlebars _html = Handlebars.Create(new HandlebarsConfiguration());
    private readonly IHandlebars _plain = Handlebars.Create(new HandlebarsConfiguration { TextEncoder = null });
    private readonly ConcurrentDictionary<(bool Html, string Source), HandlebarsTemplate<object, object>> _cache = new();

    public string RenderHtml(string source, IDictionary<string, object?> variables) => Compile(true, source)(variables);

    public string RenderPlain(string source, IDictionary<string, object?> variables) => Compile(false, source)(variables);

    /// <summary>Throws <see cref="HandlebarsException"/> when the template does not parse.</summary>
    public void Check(string source) => Compile(false, source);

    private HandlebarsTemplate<object, object> Compile(bool html, string source)
    {
        if (_cache.TryGetValue((html, source), out var template))
        {
            return template;
        }

        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        template = (html ? _html : _plain).Compile(source);
        _cache[(html, source)] = template;
        return template;
    }

    /// <summary>Turns protobuf Struct variables into plain .NET values that Handlebars can walk.</summary>
    public static Dictionary<string, object?> ToVariables(Struct? variables)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (variables is null)
        {
            return result;
        }

        foreach (var (name, value) in variables.Fields)
        {
            result[name] = ToObject(value);
        }

        return result;
    }

    private static object? ToObject(Value value) => value.KindCase switch
    {
        Value.KindOneofCase.StringValue => value.StringValue,
        Value.KindOneofCase.NumberValue => value.NumberValue,
        Value.KindOneofCase.BoolValue => value.BoolValue,
        Value.KindOneofCase.StructValue => ToVariables(value.StructValue),
        Value.KindOneofCase.ListValue => value.ListValue.Values.Select(ToObject).ToList(),
        _ => null,
    };
}
