using System.Net;
using System.Net.Sockets;

namespace Accounts.Orleans.Testing;

/// <summary>Ports nobody listens on; handed out once per process so parallel tests never share one.</summary>
public static class FreePorts
{
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        lock (Given)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Given.Add(port)) return port;
            }
        }
    }
}
