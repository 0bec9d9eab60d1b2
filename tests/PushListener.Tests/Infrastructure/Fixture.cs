namespace PushListener.Tests.Infrastructure;

/// <summary>Reads SOAP captures from tests/Fixtures (copied next to the test assembly).</summary>
internal static class Fixture
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public static IEnumerable<string> ValidNames() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*.xml").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal);
}
