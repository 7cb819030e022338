using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Accounts.Orleans.Testing;

/// <summary>
/// Ports nobody listens on, handed out once per process. They come from below Linux's ephemeral range (32768+), so
/// an outgoing connection made meanwhile cannot be given the same port before the test binds it.
/// </summary>
public static class FreePorts
{
    private const int Low = 20000;
    private const int High = 32000;
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        lock (Given)
        {
            while (true)
            {
                var port = RandomNumberGenerator.GetInt32(Low, High);
                if (!Given.Contains(port) && IsFree(port))
                {
                    Given.Add(port);
                    return port;
                }
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var any = new TcpListener(IPAddress.Any, port);
            any.Start();
            any.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
