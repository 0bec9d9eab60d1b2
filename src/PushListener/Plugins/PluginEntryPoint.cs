using System.Reflection;

namespace PushListener.Plugins;

/// <summary>Finds and creates a plugin's <see cref="IPushListenerPlugin"/>.</summary>
internal static class PluginEntryPoint
{
    /// <summary>The one public non-abstract class of <paramref name="assembly"/> implementing <see cref="IPushListenerPlugin"/>.</summary>
    /// <exception cref="PluginLoadException">There is none, or more than one.</exception>
    public static Type Find(Assembly assembly)
    {
        var candidates = assembly.GetExportedTypes()
            .Where(t => t.IsClass && !t.IsAbstract && !t.ContainsGenericParameters && typeof(IPushListenerPlugin).IsAssignableFrom(t))
            .ToArray();
        return candidates.Length switch
        {
            1 => candidates[0],
            0 => throw new PluginLoadException($"{assembly.GetName().Name} has no public non-abstract class implementing {typeof(IPushListenerPlugin).FullName}."),
            _ => throw new PluginLoadException(
                $"{assembly.GetName().Name} has {candidates.Length} classes implementing {typeof(IPushListenerPlugin).FullName} "
                + $"({string.Join(", ", candidates.Select(t => t.FullName).Order(StringComparer.Ordinal))}); it must have exactly one."),
        };
    }

    /// <summary>Creates <paramref name="type"/> with its public parameterless constructor.</summary>
    /// <exception cref="PluginLoadException">It has none, or it threw.</exception>
    public static IPushListenerPlugin Create(Type type)
    {
        if (type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new PluginLoadException($"its entry point {type.FullName} has no public parameterless constructor.");
        }

        try
        {
            return (IPushListenerPlugin)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is { } inner)
        {
            throw new PluginLoadException($"the constructor of {type.FullName} threw {inner.GetType().Name}: {inner.Message}", inner);
        }
    }
}

/// <summary>A plugin failed to load for a reason worth stating as it is; the message completes "could not be loaded: ".</summary>
internal sealed class PluginLoadException : Exception
{
    public PluginLoadException()
    {
    }

    public PluginLoadException(string message)
        : base(message)
    {
    }

    public PluginLoadException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
