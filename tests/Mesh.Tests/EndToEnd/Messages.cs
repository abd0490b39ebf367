using Google.Protobuf.WellKnownTypes;
using Mesh.Gateway.V1;

namespace Mesh.Tests.EndToEnd;

/// <summary>Requests used by the scenarios.</summary>
public static class Messages
{
    public static SendRequest Welcome(string fromDomain, params string[] recipients)
    {
        var request = new SendRequest
        {
            From = new Address { Email = $"hello@{fromDomain}", Name = "Mesh Test" },
            Content = new Content
            {
                Subject = "Welcome, {{name}}",
                Html = "<p>Hello <b>{{name}}</b>, your code is {{code}}.</p>",
            },
            Variables = new Struct { Fields = { ["code"] = Value.ForString("1234") } },
        };
        foreach (var recipient in recipients.DefaultIfEmpty("ana@example.net"))
        {
            request.To.Add(new Recipient
            {
                Address = new Address { Email = recipient },
                Variables = new Struct { Fields = { ["name"] = Value.ForString(recipient.Split('@')[0]) } },
            });
        }

        return request;
    }
}
