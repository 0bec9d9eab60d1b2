using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using PushListener.Plugins;

namespace PushListener.Tests.Plugins;

/// <summary>AddPlugins against a bare service collection: folder layouts, failures and their messages.</summary>
[Collection(SamplePluginGroup.Name)]
public sealed class PluginLoaderTests
{
    private readonly SamplePluginFixture _fixture;

    public PluginLoaderTests(SamplePluginFixture fixture) => _fixture = fixture;

    [Fact]
    public void AddPlugins_GarbageDll_ThrowsNamingPluginAndCause()
    {
        var folder = _fixture.NewFolder();
        var plugin = Garbage(folder, "Broken");

        var error = Assert.Throws<InvalidOperationException>(() => AddPlugins(folder));

        Assert.StartsWith($"Plugin 'Broken' in {plugin} could not be loaded: Broken.dll is not a .NET assembly", error.Message, StringComparison.Ordinal);
        Assert.Contains("SkipFailed=true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPlugins_FolderWithoutDll_ThrowsNamingTheMainAssembly()
    {
        var folder = _fixture.NewFolder();
        var plugin = Directory.CreateDirectory(Path.Combine(folder, "Empty")).FullName;
        File.WriteAllText(Path.Combine(plugin, "Other.dll"), "not the main assembly");

        var error = Assert.Throws<InvalidOperationException>(() => AddPlugins(folder));

        Assert.StartsWith($"Plugin 'Empty' in {plugin} could not be loaded: its main assembly Empty.dll is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPlugins_AssemblyWithoutEntryPoint_ThrowsNoEntryPoint()
    {
        var folder = _fixture.NewFolder();
        var plugin = Directory.CreateDirectory(Path.Combine(folder, "NoEntry")).FullName;
        File.Copy(typeof(Wildcard).Assembly.Location, Path.Combine(plugin, "NoEntry.dll"));

        var error = Assert.Throws<InvalidOperationException>(() => AddPlugins(folder));

        Assert.StartsWith($"Plugin 'NoEntry' in {plugin} could not be loaded: PushListener.Abstractions has no public non-abstract class implementing PushListener.IPushListenerPlugin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPlugins_ConfigureThrows_ThrowsWithThePluginsException()
    {
        var folder = _fixture.NewFolder();
        var plugin = CopyOfTestAssembly(folder, "Throwing");

        var error = Assert.Throws<InvalidOperationException>(() => AddPlugins(folder, new() { ["PushListener:Plugins:Throwing:Throw"] = "no database configured" }));

        Assert.StartsWith(
            $"Plugin 'Throwing' in {plugin} could not be loaded: PushListener.Tests.Plugins.TestAssemblyPlugin.Configure threw InvalidOperationException: no database configured",
            error.Message,
            StringComparison.Ordinal);
        Assert.Equal("no database configured", error.InnerException?.Message);
    }

    [Fact]
    public void AddPlugins_SkipFailed_LoadsTheOthersAndRecordsTheFailure()
    {
        var folder = _fixture.NewFolder();
        var broken = Garbage(folder, "Broken");
        var throwing = CopyOfTestAssembly(folder, "Throwing");
        CopyOfTestAssembly(folder, "Good");
        var services = new ServiceCollection();
        var before = services.Count;

        AddPlugins(folder, new() { ["PushListener:Plugins:SkipFailed"] = "true", ["PushListener:Plugins:Throwing:Throw"] = "boom" }, services);

        var catalog = Catalog(services);
        Assert.Equal(["Good"], catalog.Loaded.Select(p => p.Name));
        Assert.Equal(["Good.NoopHandler"], catalog.Loaded[0].Handlers);
        Assert.Equal([(broken, "Broken"), (throwing, "Throwing")], catalog.Skipped.Select(f => (f.Path, f.Name)));
        // The failed plugin's registrations made before it threw are gone: all or nothing.
        var marker = Assert.Single(services, d => d.ServiceType.FullName == typeof(TestPluginMarker).FullName);
        Assert.Equal("Good", ((dynamic)marker.ImplementationInstance!).PluginName);
        var registration = Assert.Single(services.Where(d => d.ServiceType == typeof(HandlerRegistration)).Select(d => (HandlerRegistration)d.ImplementationInstance!));
        Assert.Equal(("Good.NoopHandler", "plugin:Good"), (registration.Name, registration.Source));
        Assert.True(services.Count > before);
    }

    [Fact]
    public void AddPlugins_SeveralBroken_ReportsEachAtOnce()
    {
        var folder = _fixture.NewFolder();
        var first = Garbage(folder, "A");
        var second = Garbage(folder, "B");

        var error = Assert.Throws<InvalidOperationException>(() => AddPlugins(folder));

        Assert.Contains($"Plugin 'A' in {first} could not be loaded", error.Message, StringComparison.Ordinal);
        Assert.Contains($"Plugin 'B' in {second} could not be loaded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPlugins_BrokenPluginDisabled_IsLeftOut()
    {
        var folder = _fixture.NewFolder();
        var broken = Garbage(folder, "Broken");
        var services = new ServiceCollection();

        AddPlugins(folder, new() { ["PushListener:Plugins:Broken:Enabled"] = "false" }, services);

        Assert.Equal([("Broken", broken)], Catalog(services).Disabled);
    }

    [Theory]
    [InlineData("Folder")]
    [InlineData("skipfailed")]
    public void AddPlugins_ReservedFolderName_Fails(string name)
    {
        var folder = _fixture.NewFolder();
        CopyOfTestAssembly(folder, name);

        var error = Assert.Throws<InvalidOperationException>(() => AddPlugins(folder));

        Assert.Contains($"Plugin '{name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be a plugin name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPlugins_OverrideNamesNoHandler_FailsNamingTheSetting()
    {
        var folder = _fixture.NewFolder();
        CopyOfTestAssembly(folder, "Good");

        var error = Assert.Throws<InvalidOperationException>(() => AddPlugins(folder, new() { ["PushListener:Plugins:Good:Handlers:Nope:Order"] = "3" }));

        Assert.Contains("PushListener:Plugins:Good:Handlers:Nope names no handler of the plugin (it has Good.NoopHandler)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPlugins_OverrideWithUnknownEventKind_FailsNamingTheSetting()
    {
        var folder = _fixture.NewFolder();
        CopyOfTestAssembly(folder, "Good");

        var error = Assert.Throws<InvalidOperationException>(() => AddPlugins(folder, new() { ["PushListener:Plugins:Good:Handlers:NoopHandler:Filter:EventKinds:0"] = "Exploded" }));

        Assert.Contains("PushListener:Plugins:Good:Handlers:NoopHandler:Filter:EventKinds:0 'Exploded' is not an event kind", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPlugins_OverrideDisablesHandler_RemovesIt()
    {
        var folder = _fixture.NewFolder();
        CopyOfTestAssembly(folder, "Good");
        var services = new ServiceCollection();

        AddPlugins(folder, new() { ["PushListener:Plugins:Good:Handlers:Good.NoopHandler:Enabled"] = "false" }, services);

        Assert.DoesNotContain(services, d => d.ServiceType == typeof(HandlerRegistration));
        Assert.Empty(Assert.Single(Catalog(services).Loaded).Handlers);
    }

    [Fact]
    public void AddPlugins_FolderMissing_LoadsNothing()
    {
        var services = new ServiceCollection();

        AddPlugins(Path.Combine(_fixture.NewFolder(), "absent"), [], services);

        var catalog = Catalog(services);
        Assert.False(catalog.FolderExists);
        Assert.Empty(catalog.Loaded);
    }

    [Fact]
    public void AddPlugins_RelativeFolder_IsTakenFromTheContentRoot()
    {
        var root = _fixture.NewFolder();
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = root, ContentRootFileProvider = new NullFileProvider() });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["PushListener:Plugins:Folder"] = "my-plugins" }).Build();

        services.AddPlugins(configuration);

        Assert.Equal(Path.Combine(root, "my-plugins"), Catalog(services).Folder);
    }

    [Fact]
    public void AddPlugins_SectionWithoutFolder_IsReported()
    {
        var folder = _fixture.NewFolder();
        var services = new ServiceCollection();

        AddPlugins(folder, new() { ["PushListener:Plugins:Typo:LogEvery"] = "5" }, services);

        Assert.Equal(["Typo"], Catalog(services).UnmatchedSections);
    }

    [Fact]
    public void Find_TwoEntryPoints_ThrowsNamingBoth()
    {
        var error = Assert.Throws<PluginLoadException>(() => PluginEntryPoint.Find(new FakeAssembly(typeof(FirstEntry), typeof(SecondEntry), typeof(NoopHandler))));

        Assert.Equal(
            $"Fake has 2 classes implementing PushListener.IPushListenerPlugin ({typeof(FirstEntry).FullName}, {typeof(SecondEntry).FullName}); it must have exactly one.",
            error.Message);
    }

    [Fact]
    public void Load_PluginShipsItsOwnContract_GetsTheHostsCopy()
    {
        var folder = _fixture.NewFolder();
        var plugin = CopyOfTestAssembly(folder, "Shipping");
        File.Copy(typeof(INotificationHandler).Assembly.Location, Path.Combine(plugin, "PushListener.Abstractions.dll"));
        var context = new PluginLoadContext("Shipping", Path.Combine(plugin, "Shipping.dll"));

        var main = context.LoadFromAssemblyPath(Path.Combine(plugin, "Shipping.dll"));
        var contract = context.LoadFromAssemblyName(new AssemblyName("PushListener.Abstractions"));

        Assert.Same(typeof(INotificationHandler).Assembly, contract);
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(main));
        Assert.True(typeof(IPushListenerPlugin).IsAssignableFrom(main.GetType(typeof(TestAssemblyPlugin).FullName!, throwOnError: true)));
    }

    private static void AddPlugins(string folder, Dictionary<string, string?>? settings = null, ServiceCollection? services = null)
    {
        settings ??= [];
        settings["PushListener:Plugins:Folder"] = folder;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        (services ?? new ServiceCollection()).AddPlugins(configuration);
    }

    private static PluginCatalog Catalog(ServiceCollection services) =>
        (PluginCatalog)Assert.Single(services, d => d.ServiceType == typeof(PluginCatalog)).ImplementationInstance!;

    private static string Garbage(string folder, string name)
    {
        var plugin = Directory.CreateDirectory(Path.Combine(folder, name)).FullName;
        File.WriteAllBytes(Path.Combine(plugin, name + ".dll"), "MZ this is not a PE file"u8.ToArray());
        return plugin;
    }

    /// <summary>A plugin folder holding a copy of this test assembly, whose only entry point is <see cref="TestAssemblyPlugin"/>.</summary>
    private static string CopyOfTestAssembly(string folder, string name)
    {
        var plugin = Directory.CreateDirectory(Path.Combine(folder, name)).FullName;
        File.Copy(typeof(TestAssemblyPlugin).Assembly.Location, Path.Combine(plugin, name + ".dll"));
        return plugin;
    }

    // Not public: the copies of this assembly loaded as plugins must have exactly one entry point.
    private sealed class FirstEntry : IPushListenerPlugin
    {
        public void Configure(PluginContext context)
        {
        }
    }

    private sealed class SecondEntry : IPushListenerPlugin
    {
        public void Configure(PluginContext context)
        {
        }
    }

    private sealed class FakeAssembly(params Type[] types) : Assembly
    {
        public override Type[] GetExportedTypes() => types;

        public override AssemblyName GetName() => new("Fake");
    }
}
