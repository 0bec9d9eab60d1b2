using PushListener.Handlers.JsonLines;
using PushListener.Handlers.Logging;
using PushListener.Handlers.Null;
using PushListener.Handlers.Unsubscribe;
using PushListener.Handlers.Webhook;

namespace PushListener.Pipeline;

/// <summary>The handler types configuration can name out of the box.</summary>
internal static class BuiltInHandlerTypes
{
    public static IEnumerable<HandlerTypeDefinition> All()
    {
        yield return HandlerTypeDefinition.For<LogHandler, LogHandlerSettings>("Log", static (_, settings, _) => new LogHandler(settings));
        yield return HandlerTypeDefinition.For<UnsubscribeRuleHandler, UnsubscribeRuleSettings>("UnsubscribeRule", static (_, settings, _) => new UnsubscribeRuleHandler(settings));
        yield return HandlerTypeDefinition.For<WebhookHandler, WebhookSettings>("Webhook", WebhookHandler.Create);
        yield return HandlerTypeDefinition.For<JsonLinesHandler, JsonLinesSettings>("JsonLines", JsonLinesHandler.Create);
        yield return HandlerTypeDefinition.For<NullHandler, NullHandlerSettings>("Null", static (_, _, _) => new NullHandler());
    }
}
