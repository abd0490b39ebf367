using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Mesh.Gateway.V1;
using Mesh.Render;
using Mesh.Schedule.V1;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Mesh.Bench;

/// <summary>
/// One thread: Mesh's render (Liquid through Fluid, sandboxed, then MimeKit) of a ~5 KB HTML
/// template with 10 variables, against building the same MIME directly with MimeKit from
/// pre-substituted strings.
/// </summary>
internal static class RenderBench
{
    private static readonly string[] Names = ["first_name", "last_name", "company", "plan", "amount", "due_date", "invoice", "city", "support_email", "unsubscribe"];

    public static void Run(int rounds)
    {
        var html = "<html><body><h1>Hello {{ first_name }} {{ last_name }}</h1>"
            + string.Concat(Enumerable.Range(0, 34).Select(i => $"<p>Paragraph {i}: {{{{ company }}}} on the {{{{ plan }}}} plan owes {{{{ amount }}}} by {{{{ due_date }}}} (invoice {{{{ invoice }}}}). Lorem ipsum dolor sit amet.</p>"))
            + "<p>{{ city }} · <a href=\"mailto:{{ support_email }}\">support</a> · <a href=\"{{ unsubscribe }}\">unsubscribe</a></p></body></html>";
        var values = Names.ToDictionary(n => n, n => n + "-value");
        var delivery = new Mesh.Schedule.V1.Delivery
        {
            Id = "bench",
            From = new Address { Email = "billing@bench.example", Name = "Bench Billing" },
            To = new Address { Email = "ana@example.net", Name = "Ana" },
            Content = new Content { Subject = "Invoice {{ invoice }} for {{ company }}", Html = html },
            Variables = new Struct { Fields = { values.ToDictionary(v => v.Key, v => Value.ForString(v.Value)) } },
        };
        var builder = new MessageBuilder(new TemplateEngine(Options.Create(new RenderOptions())), TimeProvider.System);
        var substituted = values.Aggregate(html, (text, v) => text.Replace("{{ " + v.Key + " }}", v.Value, StringComparison.Ordinal));
        Console.WriteLine($"render  template {html.Length} chars, {Names.Length} variables");

        var mesh = new List<double>();
        var direct = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            mesh.Add(Rate(2000, () => builder.Build(delivery, CancellationToken.None).WriteTo(Stream.Null)));
            direct.Add(Rate(2000, () => Direct(values, substituted).WriteTo(Stream.Null)));
        }

        Console.WriteLine($"render  Mesh render (Fluid + MimeKit):            {Stats.Median(mesh),8:F0} msg/s  (median of {rounds})");
        Console.WriteLine($"render  MimeKit directly, values pre-substituted: {Stats.Median(direct),8:F0} msg/s  (median of {rounds})");
        Console.WriteLine($"render  ratio Mesh/direct: {Stats.Median(mesh) / Stats.Median(direct):F2}");
    }

    private static MimeMessage Direct(Dictionary<string, string> values, string html)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Bench Billing", "billing@bench.example"));
        message.To.Add(new MailboxAddress("Ana", "ana@example.net"));
        message.Subject = $"Invoice {values["invoice"]} for {values["company"]}";
        message.Date = DateTimeOffset.UtcNow;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("bench.example");
        message.Body = new BodyBuilder { HtmlBody = html, TextBody = HtmlText.Convert(html) }.ToMessageBody();
        message.Prepare(EncodingConstraint.SevenBit, 78);
        return message;
    }

    private static double Rate(int count, Action render)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            render();
        }

        return count / watch.Elapsed.TotalSeconds;
    }
}
