using System.ServiceModel;
using System.ServiceModel.Channels;
using System.Text;
using System.Text.Json;
using PushListener.Tests.Infrastructure;

namespace PushListener.Tests.Endpoint.Wcf;

/// <summary>
/// A WCF client (System.ServiceModel.Http) with the contract of <see cref="INotificationServicePortType"/> calls the real
/// service over loopback: SOAP 1.1 through <see cref="BasicHttpBinding"/> (text/xml, quoted SOAPAction) and SOAP 1.2
/// through a text-encoding custom binding (application/soap+xml with the action parameter). It reads the
/// SubscriptionStatus; the JSON-lines handler witnesses what was delivered; a header the listener does not understand,
/// sent with mustUnderstand, comes back to the client as a MustUnderstand fault.
/// </summary>
public sealed class WcfClientInteropTests(WcfClientInteropTests.Listener listener) : IClassFixture<WcfClientInteropTests.Listener>
{
    public static TheoryData<string> Bindings() => ["soap11", "soap12"];

    [Theory]
    [MemberData(nameof(Bindings))]
    public async Task SendNotification_FromWcfClient_IsAnsweredOkAndDelivered(string binding)
    {
        var subscription = Convert.ToBase64String(Encoding.UTF8.GetBytes("wcf-" + binding + "-" + Guid.NewGuid().ToString("N")));
        var factory = Factory(binding);
        var channel = factory.CreateChannel();
        try
        {
            var response = await channel.SendNotificationAsync(Request(subscription));

            Assert.Equal(SubscriptionStatusType.OK, response.SendNotificationResult!.SubscriptionStatus);
        }
        finally
        {
            ((IClientChannel)channel).Abort();
            factory.Abort();
        }

        await Eventually.TrueAsync(() => listener.DeliveredFor(subscription) is not null, TimeSpan.FromSeconds(20));
        var delivered = listener.DeliveredFor(subscription)!.Value;
        Assert.Equal("Exchange2016", delivered.GetProperty("requestServerVersion").GetString());
        Assert.Equal("AQAAAA-previous", delivered.GetProperty("previousWatermark").GetString());
        var events = delivered.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["NewMail", "Status"], events.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal("AAMkAD-wcf-item", events[0].GetProperty("objectId").GetProperty("id").GetString());
        Assert.Equal("AQAAAA-2", events[1].GetProperty("watermark").GetString());
    }

    [Theory]
    [MemberData(nameof(Bindings))]
    public async Task SendNotification_WithUnknownMustUnderstandHeader_WcfClientGetsMustUnderstandFault(string binding)
    {
        var subscription = Convert.ToBase64String(Encoding.UTF8.GetBytes("wcf-mu-" + binding + "-" + Guid.NewGuid().ToString("N")));
        var factory = Factory(binding);
        var channel = factory.CreateChannel();
        try
        {
            Task<SendNotificationResponse> call;
            using (new OperationContextScope((IContextChannel)channel))
            {
                OperationContext.Current.OutgoingMessageHeaders.Add(MessageHeader.CreateHeader("Security", "urn:contoso:security", "token", mustUnderstand: true));
                call = channel.SendNotificationAsync(Request(subscription));
            }

            // WCF's fault converter turns a fault whose code is MustUnderstand in the envelope's namespace into a
            // ProtocolException carrying the reason; a Client/Sender fault would arrive as a FaultException instead.
            var error = await Assert.ThrowsAsync<ProtocolException>(() => call);

            Assert.Equal("A header block marked mustUnderstand is not understood by this listener.", error.Message);
        }
        finally
        {
            ((IClientChannel)channel).Abort();
            factory.Abort();
        }
    }

    private ChannelFactory<INotificationServicePortType> Factory(string binding)
    {
        Binding wcfBinding = binding == "soap11"
            ? new BasicHttpBinding()
            : new CustomBinding(new TextMessageEncodingBindingElement(MessageVersion.CreateVersion(EnvelopeVersion.Soap12, AddressingVersion.None), Encoding.UTF8), new HttpTransportBindingElement());
        wcfBinding.SendTimeout = TimeSpan.FromSeconds(20);
        return new ChannelFactory<INotificationServicePortType>(wcfBinding, new EndpointAddress(new Uri(listener.Process.BaseAddress, "/ews/notifications")));
    }

    private static SendNotificationRequest Request(string subscription) => new()
    {
        RequestServerVersion = new RequestServerVersion { Version = "Exchange2016" },
        SendNotification = new SendNotificationResponseType
        {
            ResponseMessages =
            [
                new SendNotificationResponseMessageType
                {
                    ResponseClass = ResponseClassType.Success,
                    ResponseCode = "NoError",
                    Notification = new NotificationType
                    {
                        SubscriptionId = subscription,
                        PreviousWatermark = "AQAAAA-previous",
                        MoreEvents = false,
                        MoreEventsSpecified = true,
                        Items =
                        [
                            new BaseObjectChangedEventType
                            {
                                Watermark = "AQAAAA-1",
                                TimeStamp = new DateTime(2026, 11, 20, 9, 41, 27, DateTimeKind.Utc),
                                ItemId = new ItemIdType { Id = "AAMkAD-wcf-item", ChangeKey = "CQAAAB" },
                                ParentFolderId = new ItemIdType { Id = "AAMkAD-inbox", ChangeKey = "AQAAAA" },
                            },
                            new BaseNotificationEventType { Watermark = "AQAAAA-2" },
                        ],
                        ItemsElementName = [ItemsChoiceType.NewMailEvent, ItemsChoiceType.StatusEvent],
                    },
                },
            ],
        },
    };

    /// <summary>The service as a process with the JSON-lines handler as witness.</summary>
    public sealed class Listener : IAsyncLifetime
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "pushlistener-tests", "wcf-" + Guid.NewGuid().ToString("N"));

        internal ListenerProcess Process { get; private set; } = null!;

        private string Delivered => Path.Combine(_folder, "delivered.jsonl");

        public async Task InitializeAsync() => Process = await ListenerProcess.StartAsync(
        [
            "--PushListener:Inbox:DataFolder=" + Path.Combine(_folder, "data"),
            "--PushListener:Handlers:log:Enabled=false",
            "--PushListener:Handlers:record:Type=JsonLines",
            "--PushListener:Handlers:record:Settings:Path=" + Delivered,
        ]);

        public JsonElement? DeliveredFor(string subscription)
        {
            if (!File.Exists(Delivered))
            {
                return null;
            }

            using var stream = new FileStream(Delivered, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                var document = JsonDocument.Parse(line).RootElement;
                if (document.GetProperty("type").GetString() == "notification" && document.GetProperty("subscriptionId").GetString() == subscription)
                {
                    return document.Clone();
                }
            }

            return null;
        }

        public async Task DisposeAsync()
        {
            await Process.DisposeAsync();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }
}
