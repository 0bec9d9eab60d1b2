namespace PushListener.Pipeline;

/// <summary>
/// A handler type that configuration entries can name in <c>PushListener:Handlers:{name}:Type</c>: how to validate its
/// <c>Settings</c> section and how to create an instance from it.
/// </summary>
/// <param name="TypeName">The name used in configuration, for example <c>Webhook</c>.</param>
/// <param name="HandlerType">The CLR type created.</param>
/// <param name="Create">Creates the handler from the root services, the entry's <c>Settings</c> section and the entry name.</param>
/// <param name="Validate">Errors in the <c>Settings</c> section, each naming the setting by the path given.</param>
internal sealed record HandlerTypeDefinition(
    string TypeName,
    Type HandlerType,
    Func<IServiceProvider, IConfigurationSection, string, INotificationHandler> Create,
    Func<IConfigurationSection, string, IEnumerable<string>> Validate)
{
    /// <summary>A definition whose settings bind to <typeparamref name="TSettings"/> and validate with its own method.</summary>
    public static HandlerTypeDefinition For<THandler, TSettings>(string typeName, Func<IServiceProvider, TSettings, string, THandler> create)
        where THandler : INotificationHandler
        where TSettings : IHandlerSettings, new() =>
        new(
            typeName,
            typeof(THandler),
            (services, section, name) => create(services, Bind<TSettings>(section), name),
            (section, path) => Bind<TSettings>(section).Validate(path));

    private static TSettings Bind<TSettings>(IConfigurationSection section)
        where TSettings : new()
    {
        var settings = new TSettings();
        section.Bind(settings, options => options.ErrorOnUnknownConfiguration = false);
        return settings;
    }
}

/// <summary>Settings of a configurable handler type.</summary>
internal interface IHandlerSettings
{
    /// <summary>Errors, each beginning with <paramref name="path"/> and the setting's name.</summary>
    IEnumerable<string> Validate(string path);
}
