using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mesh.Gateway.V1;
using Mesh.Tests.EndToEnd;
using MimeKit;

namespace Mesh.Tests.Render;

/// <summary>The rendered MIME parses back with MimeKit into the structure recorded in Golden/rich.structure.txt.</summary>
public sealed class RichMessageStructure
{
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    [Fact]
    public async Task TestRender_HtmlInlineImageAttachmentUnicode_MatchesGoldenStructure()
    {
        await using var stack = await MeshStack.StartAsync(StoreKind.Garnet);
        var tenant = await stack.CreateTenantAsync("acme.example");
        var client = new Gateway.V1.Templates.TemplatesClient(stack.Channel);
        var longWord = new string('x', 2000);
        var response = await client.TestRenderAsync(new TestRenderRequest
        {
            From = new Address { Email = "hello@acme.example", Name = "Zoë Café" },
            To = new Address { Email = "ana@bücher.example", Name = "Ana Müller" },
            Content = new Content
            {
                Subject = "Grüße, {{ name }} ✓",
                Html = "<p>Hello {{ name }}</p><img src=\"cid:logo\"><p>" + longWord + "</p>",
                Attachments =
                {
                    new Attachment { Filename = "logo.png", ContentType = "image/png", Data = ByteString.CopyFrom(Png), ContentId = "logo" },
                    new Attachment { Filename = "invoice.pdf", ContentType = "application/pdf", Data = ByteString.CopyFromUtf8("%PDF-1.4 test") },
                },
            },
            Variables = new Struct { Fields = { ["name"] = Value.ForString("Ana") } },
            ReplyTo = new Address { Email = "support@acme.example", Name = "Support" },
            Headers = { ["X-Campaign"] = "spring" },
        }, tenant.Headers).ResponseAsync.DefaultTimeout();

        var raw = response.Mime.ToByteArray();
        var message = MimeMessage.Load(new MemoryStream(raw));
        var golden = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Render", "Golden", "rich.structure.txt")).DefaultTimeout();
        Assert.Equal(golden.ReplaceLineEndings("\n").Trim(), Describe(message.Body!, 0).Trim());

        Assert.Equal("Grüße, Ana ✓", message.Subject);
        Assert.Equal("Zoë Café", message.From.Mailboxes.Single().Name);
        Assert.EndsWith("@acme.example", message.MessageId);
        Assert.Equal("support@acme.example", message.ReplyTo.Mailboxes.Single().Address);
        Assert.Equal("spring", message.Headers["X-Campaign"]);
        Assert.Equal("Hello Ana", message.TextBody!.Split('\n')[0].Trim());
        var text = Encoding.ASCII.GetString(raw);
        Assert.Contains("Subject: =?utf-8?", text);
        Assert.Contains("xn--bcher-kva.example", text);
        Assert.All(text.Split("\r\n"), line => Assert.True(line.Length <= 998, $"line of {line.Length} characters"));
        Assert.True(raw.All(b => b < 128), "7-bit output");
    }

    private static string Describe(MimeEntity entity, int depth)
    {
        var line = new string(' ', depth * 2) + entity.ContentType.MimeType
            + (entity is MimePart { FileName: { } name } ? $" {name}" : string.Empty)
            + (entity is MimePart part && !string.IsNullOrEmpty(part.ContentId) ? $" cid:{part.ContentId}" : string.Empty)
            + (entity.ContentDisposition?.Disposition is { } disposition ? $" ({disposition})" : string.Empty) + "\n";
        return entity is Multipart multipart ? line + string.Concat(multipart.Select(child => Describe(child, depth + 1))) : line;
    }
}
