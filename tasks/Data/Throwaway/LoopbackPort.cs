using System.Net;
using System.Net.Sockets;

namespace TwisterLab.Cake.Data.Throwaway;

internal static class LoopbackPort
{
    /// <summary>A port the OS just considered free on 127.0.0.1. Callers retry start-up when another process wins the race.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
