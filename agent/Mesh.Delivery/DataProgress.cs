using MailKit;

namespace Mesh.Delivery;

/// <summary>
/// Tells whether the whole message went out in DATA. A failure after that point means the
/// receiver may have the message: "possibly delivered", never retried blindly.
/// </summary>
internal sealed class DataProgress : ITransferProgress
{
    public bool Complete { get; private set; }

    public bool Started { get; private set; }

    public void Report(long bytesTransferred, long totalSize)
    {
        Started = true;
        Complete = bytesTransferred >= totalSize;
    }

    public void Report(long bytesTransferred) => Started = true;
}
