namespace PushListener.Hosting;

/// <summary>Returned by <c>AddPushListener</c>; features chain off it.</summary>
public interface IPushListenerBuilder
{
    /// <summary>The service collection.</summary>
    IServiceCollection Services { get; }

    /// <summary>The application configuration.</summary>
    IConfiguration Configuration { get; }
}

internal sealed class PushListenerBuilder(IServiceCollection services, IConfiguration configuration) : IPushListenerBuilder
{
    public IServiceCollection Services { get; } = services;

    public IConfiguration Configuration { get; } = configuration;
}
