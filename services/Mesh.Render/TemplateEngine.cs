using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using Fluid;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Mesh.Render;

/// <summary>
/// Liquid templates through Fluid, sandboxed: only the variables are reachable (Fluid gives no
/// reflection over .NET members), and every rendering is bounded in steps, output size,
/// collection size, recursion and time. HTML templates escape values; subject and text do not.
/// Parsed templates are cached by source.
/// </summary>
public sealed class TemplateEngine(IOptions<RenderOptions> options)
{
    private const int MaxCached = 1024;
    private static readonly FluidParser Parser = new();
    private readonly ConcurrentDictionary<string, IFluidTemplate> _cache = new();
    private readonly TemplateOptions _lenient = Build(options.Value, strict: false);
    private readonly TemplateOptions _strict = Build(options.Value, strict: true);

    /// <summary>Renders one template. Throws <see cref="TemplateException"/> for any template problem.</summary>
    public string Render(string source, IReadOnlyDictionary<string, object?> variables, bool html, bool strictVariables, CancellationToken ct)
    {
        var template = Parse(source);
        var context = new TemplateContext(variables, strictVariables ? _strict : _lenient);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.Timeout);
        context.CancellationToken = timeout.Token;
        try
        {
            return template.Render(context, html ? HtmlEncoder.Default : NullEncoder.Default);
        }
        catch (FluidException e)
        {
            throw new TemplateException(e.Message);
        }
        catch (InvalidOperationException e)
        {
            // Fluid reports a broken limit (steps, output size, collection size) this way.
            throw new TemplateException(e.Message);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TemplateException($"rendering took longer than {options.Value.Timeout.TotalSeconds:0.###} s");
        }
    }

    /// <summary>Parses a template; throws <see cref="TemplateException"/> with the line and column of a syntax error.</summary>
    public IFluidTemplate Parse(string source)
    {
        if (_cache.TryGetValue(source, out var template))
        {
            return template;
        }

        if (!Parser.TryParse(source, out template, out var error))
        {
            throw new TemplateException(Describe(error));
        }

        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        _cache[source] = template;
        return template;
    }

    /// <summary>Turns protobuf Struct variables into plain values (dictionaries, lists, strings, numbers).</summary>
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

    /// <summary>Fluid says "… at (L:C)\nSource: …"; keep the message and the position.</summary>
    private static string Describe(string error)
    {
        var firstLine = error.Split('\n')[0].Trim();
        var at = firstLine.LastIndexOf(" at (", StringComparison.Ordinal);
        if (at < 0 || !firstLine.EndsWith(')'))
        {
            return "template syntax error: " + firstLine;
        }

        var position = firstLine[(at + 5)..^1].Split(':');
        return $"template syntax error at line {position[0]}, column {position.ElementAtOrDefault(1)}: {firstLine[..at]}";
    }

    private static TemplateOptions Build(RenderOptions limits, bool strict) => new TemplateOptionsBuilder()
        .WithMaxSteps(limits.MaxSteps)
        .WithMaxOutputSize(limits.MaxOutputChars)
        .WithMaxCollectionSize(limits.MaxCollectionSize)
        .WithMaxRecursion(limits.MaxRecursion)
        .WithStrictVariables(strict)
        .Build();
}

/// <summary>A template cannot be parsed or rendered within its limits; retrying will not help.</summary>
public sealed class TemplateException(string message) : Exception(message);
