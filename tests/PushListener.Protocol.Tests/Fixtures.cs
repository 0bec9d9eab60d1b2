using PushListener.Protocol;

namespace PushListener.Protocol.Tests;

/// <summary>Access to the captures in tests/Fixtures, copied next to the test assembly.</summary>
internal static class Fixtures
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    /// <summary>Reads a fixture through the <see cref="Stream"/> overload, as the endpoint does.</summary>
    public static PushRequest Read(string name, PushReaderOptions? options = null)
    {
        using var stream = File.OpenRead(PathOf(name));
        return SendNotificationReader.Read(stream, options);
    }
}
