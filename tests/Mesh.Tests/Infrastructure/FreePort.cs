using System.Net;
using System.Net.Sockets;

namespace Mesh.Tests.Infrastructure;

internal static class FreePort
{
    /// <summary>
    /// Lets the OS choose a free port on <paramref name="address"/> and releases it. Another
    /// process may take it before the caller binds, so callers retry on a failed bind.
    /// </summary>
    public static int Pick(IPAddress address)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
