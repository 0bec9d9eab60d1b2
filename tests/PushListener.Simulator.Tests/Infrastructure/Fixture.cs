namespace PushListener.Simulator.Tests.Infrastructure;

/// <summary>The captures in tests/Fixtures, copied beside the test assembly.</summary>
internal static class Fixture
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));
}
