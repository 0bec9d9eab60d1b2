using System.Text;
using PushListener.Protocol;
using PushListener.Simulator.Sending;

namespace PushListener.Simulator.Tests;

public sealed class ReplyParserTests
{
    [Theory]
    [InlineData(SoapVersion.Soap11, SubscriptionStatus.OK, nameof(ReplyKind.Ok))]
    [InlineData(SoapVersion.Soap11, SubscriptionStatus.Unsubscribe, nameof(ReplyKind.Unsubscribe))]
    [InlineData(SoapVersion.Soap12, SubscriptionStatus.OK, nameof(ReplyKind.Ok))]
    [InlineData(SoapVersion.Soap12, SubscriptionStatus.Unsubscribe, nameof(ReplyKind.Unsubscribe))]
    public void Parse_ListenerResult_ReadsTheStatus(SoapVersion version, SubscriptionStatus status, string expected)
    {
        Assert.Equal(Enum.Parse<ReplyKind>(expected), ReplyParser.Parse(SendNotificationWriter.Result(version, status).Span).Kind);
    }

    [Theory]
    [InlineData(SoapVersion.Soap11, "s:Server")]
    [InlineData(SoapVersion.Soap12, "s:Receiver")]
    public void Parse_Fault_ReadsCodeAndReason(SoapVersion version, string code)
    {
        var reply = ReplyParser.Parse(SendNotificationWriter.Fault(version, FaultCode.Receiver, "The inbox is full."));

        Assert.Equal(ReplyKind.Fault, reply.Kind);
        Assert.Equal(code + ": The inbox is full.", reply.Detail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>busy</html>")]
    [InlineData("not xml at all")]
    [InlineData("<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body><m:SendNotificationResult xmlns:m='http://schemas.microsoft.com/exchange/services/2006/messages'><m:SubscriptionStatus>UNSUBSCRIBE</m:SubscriptionStatus></m:SendNotificationResult></s:Body></s:Envelope>")]
    public void Parse_AnythingElse_IsInvalid(string body)
    {
        Assert.Equal(ReplyKind.Invalid, ReplyParser.Parse(Encoding.UTF8.GetBytes(body)).Kind);
    }
}
