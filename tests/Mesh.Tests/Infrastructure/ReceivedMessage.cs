using System.Net;

namespace Mesh.Tests.Infrastructure;

/// <summary>
/// A message a <see cref="SmtpReceiver"/> accepted. <paramref name="Remote"/> is the client's
/// address and port as the server saw them; <paramref name="Data"/> is the content after
/// dot-unstuffing, without the terminating <c>.</c>; <paramref name="Reply"/> is the reply sent
/// after DATA, e.g. <c>250 2.0.0 Ok: queued as 1</c>.
/// </summary>
public sealed record ReceivedMessage(
    IPEndPoint Remote,
    string MailFrom,
    IReadOnlyList<string> RcptTo,
    byte[] Data,
    SmtpReply Reply);
