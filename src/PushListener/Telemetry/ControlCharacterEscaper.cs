using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace PushListener.Telemetry;

/// <summary>
/// Escapes control characters (and Unicode line and paragraph separators) in every logged string value, as <c>\n</c>,
/// <c>\r</c>, <c>\t</c> or <c>\uXXXX</c>: a subscription id or message text carrying <c>&amp;#10;</c> must not start a
/// forged line in a text log. Strings without such characters are left as they are, without allocating.
/// </summary>
internal sealed class ControlCharacterEscaper : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        List<LogEventProperty>? changed = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (Escape(value) is { } escaped)
            {
                (changed ??= []).Add(new LogEventProperty(name, escaped));
            }
        }

        if (changed is not null)
        {
            foreach (var property in changed)
            {
                logEvent.AddOrUpdateProperty(property);
            }
        }
    }

    /// <summary>The value with its strings escaped, or null when nothing needed escaping.</summary>
    private static LogEventPropertyValue? Escape(LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: string text }:
                return NeedsEscaping(text) ? new ScalarValue(EscapeText(text)) : null;
            case SequenceValue sequence:
            {
                LogEventPropertyValue[]? elements = null;
                for (var i = 0; i < sequence.Elements.Count; i++)
                {
                    if (Escape(sequence.Elements[i]) is { } escaped)
                    {
                        elements ??= [.. sequence.Elements];
                        elements[i] = escaped;
                    }
                }

                return elements is null ? null : new SequenceValue(elements);
            }

            case StructureValue structure:
            {
                LogEventProperty[]? properties = null;
                for (var i = 0; i < structure.Properties.Count; i++)
                {
                    if (Escape(structure.Properties[i].Value) is { } escaped)
                    {
                        properties ??= [.. structure.Properties];
                        properties[i] = new LogEventProperty(structure.Properties[i].Name, escaped);
                    }
                }

                return properties is null ? null : new StructureValue(properties, structure.TypeTag);
            }

            case DictionaryValue dictionary:
            {
                var any = false;
                var elements = new List<KeyValuePair<ScalarValue, LogEventPropertyValue>>(dictionary.Elements.Count);
                foreach (var (key, element) in dictionary.Elements)
                {
                    var escapedKey = Escape(key) as ScalarValue;
                    var escapedValue = Escape(element);
                    any |= escapedKey is not null || escapedValue is not null;
                    elements.Add(new(escapedKey ?? key, escapedValue ?? element));
                }

                return any ? new DictionaryValue(elements) : null;
            }

            default:
                return null;
        }
    }

    internal static bool NeedsEscaping(string text)
    {
        foreach (var c in text)
        {
            if (IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    internal static string EscapeText(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (IsUnsafe(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    // C0, DEL, C1 (NEL among them), and the Unicode line and paragraph separators: all end or garble a line somewhere.
    private static bool IsUnsafe(char c) => c < ' ' || c is >= '\u007F' and <= '\u009F' || c is '\u2028' or '\u2029';
}
