using Microsoft.Extensions.Configuration;
using PushListener.Ews;
using PushListener.Subscriptions;

namespace PushListener.Tests.Subscriptions.Management;

/// <summary>The configuration keys of managed registrations and credentials, validated at start-up, each error naming its setting.</summary>
public sealed class ManagedRegistrationOptionsTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["PushListener:Subscriptions:PublicBaseUrl"] = "https://push.example.org",
        ["PushListener:Subscriptions:Credentials:svc:Kind"] = "Basic",
        ["PushListener:Subscriptions:Credentials:svc:Username"] = "svc@contoso.com",
        ["PushListener:Subscriptions:Credentials:svc:Password"] = "secret",
        ["PushListener:Subscriptions:Credentials:svc:Impersonate"] = "true",
        ["PushListener:Subscriptions:Registrations:alice:Mailbox"] = "alice@contoso.com",
        ["PushListener:Subscriptions:Registrations:alice:StatusFrequency"] = "5",
        ["PushListener:Subscriptions:Registrations:alice:Ews:Url"] = "https://outlook.office365.com/EWS/Exchange.asmx",
        ["PushListener:Subscriptions:Registrations:alice:Ews:Credential"] = "svc",
    };

    private static (SubscriptionOptions Options, List<string> Errors) Bind(Dictionary<string, string?> settings)
    {
        var options = new SubscriptionOptions();
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(SubscriptionOptions.SectionName).Bind(options);
        return (options, options.Validate().ToList());
    }

    private static Dictionary<string, string?> With(params (string Key, string? Value)[] changes)
    {
        var settings = new Dictionary<string, string?>(Valid);
        foreach (var (key, value) in changes)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public void Valid_BindsTheKeysAsTheIssueNamesThemWithDefaults()
    {
        var (options, errors) = Bind(Valid);

        Assert.Empty(errors);
        var ews = options.Registrations["alice"].Ews!;
        Assert.Equal(["inbox"], ews.EffectiveFolders);
        Assert.Equal(["NewMailEvent", "CreatedEvent", "DeletedEvent", "ModifiedEvent", "MovedEvent", "CopiedEvent"], ews.EffectiveEventTypes);
        Assert.Equal((EwsCredentialKind.Basic, true), (options.Credentials["svc"].ParsedKind, options.Credentials["svc"].Impersonate));
        Assert.Equal("https://push.example.org", options.PublicBaseUrl);
    }

    [Fact]
    public void ConfiguredFoldersAndEventTypes_ReplaceTheDefaults()
    {
        var (options, errors) = Bind(With(
            ("PushListener:Subscriptions:Registrations:alice:Ews:Folders:0", "calendar"),
            ("PushListener:Subscriptions:Registrations:alice:Ews:EventTypes:0", "FreeBusyChangedEvent"),
            ("PushListener:Subscriptions:Registrations:alice:Ews:EventTypes:1", "newmail")));

        Assert.Empty(errors);
        Assert.Equal(["calendar"], options.Registrations["alice"].Ews!.EffectiveFolders);
        Assert.Equal(["FreeBusyChangedEvent", "NewMailEvent"], options.Registrations["alice"].Ews!.EffectiveEventTypes);
    }

    [Theory]
    [InlineData("PushListener:Subscriptions:PublicBaseUrl", null, "PushListener:Subscriptions:PublicBaseUrl")]
    [InlineData("PushListener:Subscriptions:PublicBaseUrl", "push.example.org", "PushListener:Subscriptions:PublicBaseUrl")]
    [InlineData("PushListener:Subscriptions:Registrations:alice:Mailbox", "alice", "Registrations:alice:Mailbox")]
    [InlineData("PushListener:Subscriptions:Registrations:alice:Ews:Url", "not a url", "Registrations:alice:Ews:Url")]
    [InlineData("PushListener:Subscriptions:Registrations:alice:Ews:Url", "http://mail.contoso.com/EWS/Exchange.asmx", "Registrations:alice:Ews:Url")]
    [InlineData("PushListener:Subscriptions:Registrations:alice:Ews:Credential", "nobody", "Registrations:alice:Ews:Credential")]
    [InlineData("PushListener:Subscriptions:Registrations:alice:Ews:EventTypes:0", "Status", "Registrations:alice:Ews:EventTypes")]
    [InlineData("PushListener:Subscriptions:Registrations:alice:Ews:Folders:0", "Inbox ", "Registrations:alice:Ews:Folders")]
    [InlineData("PushListener:Subscriptions:Credentials:svc:Kind", "Kerberos", "Credentials:svc:Kind")]
    [InlineData("PushListener:Subscriptions:Credentials:svc:Password", "", "Credentials:svc:Password")]
    [InlineData("PushListener:Subscriptions:Credentials:svc:Impersonate", "false", "Credentials:svc:Impersonate")]
    [InlineData("PushListener:Subscriptions:Manager:MaxWatermarkAge", "31.00:00:00", "Manager:MaxWatermarkAge")]
    public void Invalid_FailsNamingTheSetting(string key, string? value, string named)
    {
        var (_, errors) = Bind(With((key, value)));

        Assert.Contains(errors, e => e.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void ClientCredentials_NeedTenantClientAndOneSecretAndImpersonation()
    {
        var (_, errors) = Bind(With(
            ("PushListener:Subscriptions:Credentials:svc:Kind", "ClientCredentials"),
            ("PushListener:Subscriptions:Credentials:svc:Impersonate", "false"),
            ("PushListener:Subscriptions:Credentials:svc:CertificatePath", "/nonexistent.pfx"),
            ("PushListener:Subscriptions:Credentials:svc:ClientSecret", "also")));

        Assert.Contains(errors, e => e.Contains("Credentials:svc:TenantId", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Credentials:svc:ClientId", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("exactly one of ClientSecret and CertificatePath", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Credentials:svc:Impersonate", StringComparison.Ordinal) && e.Contains("app-only", StringComparison.Ordinal));
    }

    [Fact]
    public void Secrets_AreNotInTheErrors()
    {
        var (_, errors) = Bind(With(("PushListener:Subscriptions:Credentials:svc:Impersonate", "false"), ("PushListener:Subscriptions:Credentials:svc:Password", "hunter2-VERY-secret")));

        Assert.NotEmpty(errors);
        Assert.DoesNotContain(errors, e => e.Contains("hunter2", StringComparison.Ordinal));
    }
}
