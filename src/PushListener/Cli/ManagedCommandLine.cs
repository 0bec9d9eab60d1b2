using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using PushListener.Admin;
using PushListener.Subscriptions.Management;

namespace PushListener.Cli;

/// <summary>
/// <c>PushListener managed list|show|resubscribe|add|remove</c>: the managed subscriptions of a running service, through
/// its admin API (the manager runs in the service, so the command asks it rather than the database).
/// </summary>
internal static class ManagedCommandLine
{
    private const string Usage = """
        Usage:
          PushListener managed list [--json]
          PushListener managed show NAME [--json]
          PushListener managed resubscribe NAME
          PushListener managed add NAME --mailbox SMTP --ews-url URL --credential NAME [--status-frequency MIN] [--folder ID]... [--all-folders] [--event-type TYPE]... [--owner-tag TAG]
          PushListener managed remove NAME
        Options for every command: --url URL of the running service (default http://localhost:5080), --api-key KEY
        (default: PushListener:Admin:ApiKey from appsettings.json, environment variables and --Key=Value arguments).
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public static bool Handles(string[] args) => args.Length > 0 && args[0] == "managed";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var settings = args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal) && a.Contains(':', StringComparison.Ordinal)).ToArray();
        var words = args.Except(settings).ToList();
        var url = Take(words, "--url") ?? Environment.GetEnvironmentVariable("PUSHLISTENER_URL") ?? "http://localhost:5080";
        var key = Take(words, "--api-key");
        if (key is null)
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = settings });
            key = builder.Configuration[AdminOptions.SectionName + ":ApiKey"];
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl))
        {
            await error.WriteLineAsync($"--url '{url}' is not an absolute URL.").ConfigureAwait(false);
            return 2;
        }

        using var client = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        return await RunAsync(client, key, words, output, error).ConfigureAwait(false);
    }

    /// <summary>Runs a command against the admin API <paramref name="client"/> reaches (tests pass an in-memory one).</summary>
    public static async Task<int> RunAsync(HttpClient client, string? apiKey, List<string> words, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(words);
        if (string.IsNullOrEmpty(apiKey))
        {
            await error.WriteLineAsync("No admin API key: pass --api-key or set PushListener:Admin:ApiKey (the admin API is off without one).").ConfigureAwait(false);
            return 2;
        }

        var json = words.Remove("--json");
        var verb = words.ElementAtOrDefault(1);
        var name = words.ElementAtOrDefault(2);
        try
        {
            switch (verb)
            {
                case "list":
                {
                    using var request = Request(HttpMethod.Get, "api/managed-subscriptions", apiKey);
                    using var response = await client.SendAsync(request).ConfigureAwait(false);
                    if (!await SucceededAsync(response, error).ConfigureAwait(false))
                    {
                        return 1;
                    }

                    var views = await response.Content.ReadFromJsonAsync<List<ManagedSubscriptionView>>(Json).ConfigureAwait(false) ?? [];
                    if (json)
                    {
                        await output.WriteLineAsync(JsonSerializer.Serialize(views, Json)).ConfigureAwait(false);
                    }
                    else
                    {
                        await output.WriteLineAsync($"{views.Count} managed registration(s)").ConfigureAwait(false);
                        foreach (var view in views)
                        {
                            await output.WriteLineAsync(Line(view)).ConfigureAwait(false);
                        }
                    }

                    return 0;
                }

                case "show" when name is not null:
                {
                    using var request = Request(HttpMethod.Get, "api/managed-subscriptions/" + Uri.EscapeDataString(name), apiKey);
                    using var response = await client.SendAsync(request).ConfigureAwait(false);
                    if (!await SucceededAsync(response, error).ConfigureAwait(false))
                    {
                        return 1;
                    }

                    var view = await response.Content.ReadFromJsonAsync<ManagedSubscriptionView>(Json).ConfigureAwait(false);
                    await output.WriteLineAsync(json ? JsonSerializer.Serialize(view, Json) : Line(view!)).ConfigureAwait(false);
                    return 0;
                }

                case "resubscribe" when name is not null:
                {
                    using var request = Request(HttpMethod.Post, "api/managed-subscriptions/" + Uri.EscapeDataString(name) + "/resubscribe", apiKey);
                    using var response = await client.SendAsync(request).ConfigureAwait(false);
                    if (!await SucceededAsync(response, error).ConfigureAwait(false))
                    {
                        return 1;
                    }

                    await output.WriteLineAsync($"Resubscribing {name}: the old subscription is answered Unsubscribe at its next push.").ConfigureAwait(false);
                    return 0;
                }

                case "add" when name is not null:
                {
                    var body = AddBody(words, error, out var problems);
                    if (problems > 0)
                    {
                        return 2;
                    }

                    using var request = Request(HttpMethod.Put, "api/managed-subscriptions/" + Uri.EscapeDataString(name), apiKey);
                    request.Content = JsonContent.Create(body, options: Json);
                    using var response = await client.SendAsync(request).ConfigureAwait(false);
                    if (!await SucceededAsync(response, error).ConfigureAwait(false))
                    {
                        return 1;
                    }

                    var view = await response.Content.ReadFromJsonAsync<ManagedSubscriptionView>(Json).ConfigureAwait(false);
                    await output.WriteLineAsync($"Added {name}; PushListener subscribes now.").ConfigureAwait(false);
                    await output.WriteLineAsync(Line(view!)).ConfigureAwait(false);
                    return 0;
                }

                case "remove" when name is not null:
                {
                    using var request = Request(HttpMethod.Delete, "api/managed-subscriptions/" + Uri.EscapeDataString(name), apiKey);
                    using var response = await client.SendAsync(request).ConfigureAwait(false);
                    if (!await SucceededAsync(response, error).ConfigureAwait(false))
                    {
                        return 1;
                    }

                    await output.WriteLineAsync($"Removed {name}; its subscription is answered Unsubscribe at its next push.").ConfigureAwait(false);
                    return 0;
                }

                default:
                    await error.WriteLineAsync(Usage).ConfigureAwait(false);
                    return 2;
            }
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"The service at {client.BaseAddress} could not be reached: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static string Line(ManagedSubscriptionView view) => string.Create(
        CultureInfo.InvariantCulture,
        $"{view.Registration}\t{view.Mailbox}\t{view.State}\t{view.SubscriptionId ?? "-"}\tlast push {(view.LastPushAt is { } at ? at.ToString("u", CultureInfo.InvariantCulture) : "never")}\t{(view.LastError is { } e ? "last error " + e : "no error")}{(view.NextAttemptAt is { } next ? $"\tnext attempt {next:u}" : string.Empty)}");

    private static object AddBody(List<string> words, TextWriter error, out int problems)
    {
        problems = 0;
        var mailbox = Take(words, "--mailbox");
        var ewsUrl = Take(words, "--ews-url");
        var credential = Take(words, "--credential");
        var frequency = Take(words, "--status-frequency");
        var ownerTag = Take(words, "--owner-tag");
        var allFolders = words.Remove("--all-folders");
        var folders = TakeAll(words, "--folder");
        var eventTypes = TakeAll(words, "--event-type");
        foreach (var (value, option) in new[] { (mailbox, "--mailbox"), (ewsUrl, "--ews-url"), (credential, "--credential") })
        {
            if (value is null)
            {
                error.WriteLine($"{option} is required.");
                problems++;
            }
        }

        int? minutes = null;
        if (frequency is not null)
        {
            if (int.TryParse(frequency, CultureInfo.InvariantCulture, out var parsed))
            {
                minutes = parsed;
            }
            else
            {
                error.WriteLine($"--status-frequency '{frequency}' is not a number of minutes.");
                problems++;
            }
        }

        return new
        {
            mailbox,
            statusFrequency = minutes,
            ownerTag,
            ews = new { url = ewsUrl, credential, allFolders, folders = folders.Count > 0 ? folders : null, eventTypes = eventTypes.Count > 0 ? eventTypes : null },
        };
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string apiKey)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Api-Key", apiKey);
        return request;
    }

    private static async Task<bool> SucceededAsync(HttpResponseMessage response, TextWriter error)
    {
        if (response.IsSuccessStatusCode)
        {
            return true;
        }

        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        await error.WriteLineAsync($"HTTP {(int)response.StatusCode}: {body}").ConfigureAwait(false);
        return false;
    }

    private static string? Take(List<string> words, string option)
    {
        var index = words.IndexOf(option);
        if (index < 0 || index + 1 >= words.Count)
        {
            return null;
        }

        var value = words[index + 1];
        words.RemoveRange(index, 2);
        return value;
    }

    private static List<string> TakeAll(List<string> words, string option)
    {
        var values = new List<string>();
        while (Take(words, option) is { } value)
        {
            values.Add(value);
        }

        return values;
    }
}
