using System.Reflection;

namespace PushListener.Plugins;

/// <summary>
/// Loads every plugin folder into its own <see cref="PluginLoadContext"/> and lets the plugin register its services and
/// handlers. Runs while services are registered, before the container exists.
/// </summary>
internal sealed class PluginLoader(IServiceCollection services, IConfiguration configuration, bool skipFailed)
{
    /// <summary>Loads the plugins in <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidOperationException">A plugin failed and <see cref="PluginsOptions.SkipFailed"/> is off; the message names each.</exception>
    public PluginCatalog LoadAll(string folder, bool folderConfigured)
    {
        var catalog = new PluginCatalog(folder, Directory.Exists(folder), folderConfigured);
        if (!catalog.FolderExists)
        {
            return catalog;
        }

        var failures = new List<FailedPlugin>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // Ordinal order: plugins register in the same order on every machine, which is the tie-break of equal handler orders.
        foreach (var directory in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(directory);
            if (name.StartsWith('.'))
            {
                continue;
            }

            var failure = LoadOne(name, directory, names, catalog);
            if (failure is not null)
            {
                failures.Add(failure);
            }
        }

        foreach (var child in configuration.GetSection(PluginsOptions.SectionName).GetChildren())
        {
            if (!PluginsOptions.ReservedNames.Contains(child.Key) && !names.Contains(child.Key))
            {
                catalog.UnmatchedSections.Add(child.Key);
            }
        }

        if (failures.Count > 0 && !skipFailed)
        {
            var message = string.Join(Environment.NewLine, failures.Select(f => f.Message))
                + Environment.NewLine
                + $"Fix or remove the plugin folder, set {PluginsOptions.SectionName}:{(failures.Count == 1 ? failures[0].Name : "{Name}")}:Enabled=false to leave it out, "
                + $"or set {PluginsOptions.SectionName}:SkipFailed=true to start without plugins that fail.";
            var underlying = failures.Select(f => f.Underlying).OfType<Exception>().ToArray();
            throw new InvalidOperationException(message, underlying.Length switch { 0 => null, 1 => underlying[0], _ => new AggregateException(underlying) });
        }

        catalog.Skipped.AddRange(failures);
        return catalog;
    }

    private FailedPlugin? LoadOne(string name, string directory, HashSet<string> names, PluginCatalog catalog)
    {
        var before = services.ToArray();
        try
        {
            if (!names.Add(name))
            {
                throw new PluginLoadException("another plugin folder has the same name up to case, and plugins share configuration sections by name.");
            }

            if (PluginsOptions.ReservedNames.Contains(name) || name.Contains(':', StringComparison.Ordinal))
            {
                throw new PluginLoadException($"'{name}' cannot be a plugin name: its configuration section {PluginsOptions.SectionName}:{name} would clash with a setting. Rename the folder (and the assembly).");
            }

            var section = configuration.GetSection(PluginsOptions.SectionName + ":" + name);
            var entry = BindEntry(section);
            if (!entry.Enabled)
            {
                catalog.Disabled.Add((name, directory));
                return null;
            }

            var mainPath = Path.Combine(directory, name + ".dll");
            if (!File.Exists(mainPath))
            {
                throw new PluginLoadException($"its main assembly {name}.dll is missing. A plugin folder holds the 'dotnet publish' output of a project whose assembly is named after the folder.");
            }

            var assembly = LoadMainAssembly(name, mainPath);
            CheckSharedReferences(assembly);
            var entryType = PluginEntryPoint.Find(assembly);
            var plugin = PluginEntryPoint.Create(entryType);
            try
            {
                plugin.Configure(new PluginContext(name, services, section));
            }
            catch (Exception ex) when (ex is not PluginLoadException)
            {
                throw new PluginLoadException($"{entryType.FullName}.Configure threw {ex.GetType().Name}: {ex.Message}", ex);
            }

            var handlers = ApplyHandlerSettings(name, section.Path, entry, before);
            catalog.Loaded.Add(new LoadedPlugin(name, VersionOf(assembly), directory, assembly, handlers));
            return null;
        }
        catch (Exception ex)
        {
            // All or nothing: a plugin that failed half-way leaves no services behind for SkipFailed to trip over.
            Restore(before);
            return new FailedPlugin(name, directory, Describe(ex), ex);
        }
    }

    private static PluginEntryOptions BindEntry(IConfigurationSection section)
    {
        var entry = new PluginEntryOptions();
        try
        {
            section.Bind(entry);
        }
        catch (InvalidOperationException ex)
        {
            throw new PluginLoadException(ex.Message, ex);
        }

        return entry;
    }

    private static Assembly LoadMainAssembly(string name, string mainPath)
    {
        try
        {
            return new PluginLoadContext(name, mainPath).LoadFromAssemblyPath(mainPath);
        }
        catch (BadImageFormatException ex)
        {
            throw new PluginLoadException($"{name}.dll is not a .NET assembly ({ex.Message})", ex);
        }
    }

    /// <summary>Refuses a plugin built against a newer shared assembly than the host's, or another major version of the contract.</summary>
    private static void CheckSharedReferences(Assembly assembly)
    {
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            if (reference.Name is not { } simple || reference.Version is not { } wanted || !SharedAssemblies.IsShared(reference) || SharedAssemblies.HostVersion(simple) is not { } host)
            {
                continue;
            }

            if (string.Equals(simple, SharedAssemblies.Contract, StringComparison.OrdinalIgnoreCase) && wanted.Major != host.Major)
            {
                throw new PluginLoadException($"it was built against {simple} {wanted} and this host provides {host}, another major version of the contract. Rebuild the plugin against {host}.");
            }

            if (wanted > host)
            {
                throw new PluginLoadException($"it was built against {simple} {wanted}, newer than this host's {host}. Rebuild the plugin against the host's version or upgrade the host.");
            }
        }
    }

    /// <summary>
    /// Gives the plugin's new handler registrations their source and the operator's overrides from
    /// <c>{section}:Handlers:{Handler}</c>; returns the names of the handlers left in the pipeline.
    /// </summary>
    private List<string> ApplyHandlerSettings(string name, string sectionPath, PluginEntryOptions entry, ServiceDescriptor[] before)
    {
        var existing = new HashSet<ServiceDescriptor>(before, ReferenceEqualityComparer.Instance);
        var handlers = new List<string>();
        var errors = new List<string>();
        var matched = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (existing.Contains(descriptor) || descriptor.ServiceType != typeof(HandlerRegistration) || descriptor.IsKeyedService || descriptor.ImplementationInstance is not HandlerRegistration registration)
            {
                continue;
            }

            var shortName = registration.Name.StartsWith(name + ".", StringComparison.OrdinalIgnoreCase) ? registration.Name[(name.Length + 1)..] : registration.Name;
            string? key = null;
            if (entry.Handlers.ContainsKey(registration.Name))
            {
                key = registration.Name;
            }
            else if (entry.Handlers.ContainsKey(shortName))
            {
                key = shortName;
            }

            var settings = key is null ? null : entry.Handlers[key];
            if (key is not null)
            {
                matched.Add(key);
            }

            if (settings is { Enabled: false })
            {
                services.RemoveAt(i--);
                continue;
            }

            if (settings is not null)
            {
                var path = $"{sectionPath}:Handlers:{key}";
                if (settings.Timeout is { } timeout && timeout <= TimeSpan.Zero)
                {
                    errors.Add($"{path}:Timeout must be positive (got {timeout}).");
                }

                if (settings.Filter is not null)
                {
                    errors.AddRange(settings.Filter.Validate(path + ":Filter"));
                }
            }

            services[i] = ServiceDescriptor.Singleton(new HandlerRegistration(registration.Name, registration.HandlerType, registration.Factory)
            {
                Order = settings?.Order ?? registration.Order,
                Timeout = settings?.Timeout ?? registration.Timeout,
                Filter = settings?.Filter?.ToFilter() ?? registration.Filter,
                // A plugin calling AddNotificationHandler directly gets the default source "code"; the log should say which plugin.
                Source = registration.Source == "code" ? "plugin:" + name : registration.Source,
            });
            handlers.Add(registration.Name);
        }

        foreach (var key in entry.Handlers.Keys.Where(k => !matched.Contains(k)))
        {
            errors.Add($"{sectionPath}:Handlers:{key} names no handler of the plugin (it has {(handlers.Count == 0 ? "none" : string.Join(", ", handlers))}).");
        }

        if (errors.Count > 0)
        {
            throw new PluginLoadException(string.Join(" ", errors));
        }

        return handlers;
    }

    private void Restore(ServiceDescriptor[] before)
    {
        services.Clear();
        foreach (var descriptor in before)
        {
            services.Add(descriptor);
        }
    }

    private static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? assembly.GetName().Version?.ToString()
        ?? "(no version)";

    /// <summary>The cause in one line, for the "could not be loaded: {cause}" message.</summary>
    private static string Describe(Exception ex) => ex switch
    {
        PluginLoadException => ex.Message,
        ReflectionTypeLoadException load => "its types could not be loaded: "
            + string.Join(" ", load.LoaderExceptions.OfType<Exception>().Select(e => e.Message).Distinct(StringComparer.Ordinal)),
        FileNotFoundException or FileLoadException => $"a dependency could not be loaded: {ex.Message} Publish the plugin with 'dotnet publish' so its folder holds all its dependencies.",
        TypeLoadException or MissingMemberException => $"{ex.GetType().Name}: {ex.Message} The plugin was probably built against another version of a shared assembly.",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
