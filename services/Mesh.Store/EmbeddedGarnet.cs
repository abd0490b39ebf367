using System.Net;
using System.Net.Sockets;
using Garnet;

namespace Mesh.Store;

/// <summary>
/// Microsoft.Garnet in-process, listening on loopback only, with its append-only file committed
/// before each reply (--aof-commit-freq 0 --aof-commit-wait), so that an OK from the store means
/// the write is on disk. --recover replays the file at start. See docs/STORE.md.
/// </summary>
public sealed class EmbeddedGarnet : IDisposable
{
    private readonly GarnetServer _server;

    public EmbeddedGarnet(string dataDir, int port)
    {
        Directory.CreateDirectory(dataDir);
        Port = port == 0 ? FreeLoopbackPort() : port;
        string[] args =
        [
            "--bind", "127.0.0.1",
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--aof", "--aof-commit-freq", "0", "--aof-commit-wait",
            "--recover",
            "--lua",
            // Without a storage tier Garnet keeps its append-only file under the checkpoint folder.
            "--checkpointdir", Path.GetFullPath(dataDir),
            // libaio is absent on these machines; RandomAccess is the portable device.
            "--device-type", "RandomAccess",
            "-q", // no banner
            "--logger-level", "Warning",
        ];
        _server = new GarnetServer(args);
        _server.Start();
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public void Dispose() => _server.Dispose();

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
