using MailKit;

namespace Mesh.Delivery;

/// <summary>
/// Tells whether the whole message went out in DATA. A failure after that point means the
/// receiver may have the message: "possibly delivered", never retried blindly.
/// It also switches the client to the RFC 5321 §4.5.3.2 timeout of each DATA phase: the data-block
/// timeout while the message is written, the (longer) termination timeout for the final reply.
/// </summary>
internal sealed class DataProgress(MailKit.Net.Smtp.SmtpClient client, DeliveryOptions options) : ITransferProgress
{
    public bool Complete { get; private set; }

    public bool Started { get; private set; }

    public void Report(long bytesTransferred, long totalSize)
    {
        Report(bytesTransferred);
        if (bytesTransferred >= totalSize && !Complete)
        {
            Complete = true;
            client.Timeout = (int)options.DataTerminationTimeout.TotalMilliseconds;
        }
    }

    public void Report(long bytesTransferred)
    {
        if (!Started)
        {
            Started = true;
            client.Timeout = (int)options.DataBlockTimeout.TotalMilliseconds;
        }
    }
}
