using System.Text;
using PushListener.Ews;

namespace PushListener.Tests.Ews;

public sealed class SubscribeResponseParserTests
{
    private const string Envelope = """<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="20" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"/></s:Header><s:Body>{0}</s:Body></s:Envelope>""";

    private static string InEnvelope(string body) => Envelope.Replace("{0}", body, StringComparison.Ordinal);

    private static SubscribeResponse Parse(int status, string body, TimeSpan? retryAfter = null) =>
        SubscribeResponseParser.Parse(status, Encoding.UTF8.GetBytes(body), retryAfter);

    [Fact]
    public void Parse_Success_ReadsSubscriptionIdAndWatermark()
    {
        var body = InEnvelope("""<m:SubscribeResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages><m:SubscribeResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:SubscriptionId>JwBWSTFQUjA4TUIzMTUw</m:SubscriptionId><m:Watermark>AQAAAEbmwqYWnOZCugPsEqvYWwYAAAAAABo/WQAAAAA=</m:Watermark></m:SubscribeResponseMessage></m:ResponseMessages></m:SubscribeResponse>""");

        var response = Parse(200, body);

        Assert.True(response.IsSuccess);
        Assert.Equal(SubscribeErrorKind.None, response.Kind);
        Assert.Equal(("JwBWSTFQUjA4TUIzMTUw", "AQAAAEbmwqYWnOZCugPsEqvYWwYAAAAAABo/WQAAAAA="), (response.SubscriptionId, response.Watermark));
    }

    [Fact]
    public void Parse_InvalidWatermark_IsItsOwnKind()
    {
        var body = InEnvelope("""<m:SubscribeResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"><m:ResponseMessages><m:SubscribeResponseMessage ResponseClass="Error"><m:MessageText>The watermark used for creating this subscription was not found.</m:MessageText><m:ResponseCode>ErrorInvalidWatermark</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey></m:SubscribeResponseMessage></m:ResponseMessages></m:SubscribeResponse>""");

        var response = Parse(200, body);

        Assert.False(response.IsSuccess);
        Assert.Equal(("ErrorInvalidWatermark", SubscribeErrorKind.InvalidWatermark), (response.ResponseCode, response.Kind));
        Assert.Equal("The watermark used for creating this subscription was not found.", response.MessageText);
    }

    [Fact]
    public void Parse_ServerBusyInResponseMessage_ReadsBackOffFromMessageXml()
    {
        var body = InEnvelope("""<m:SubscribeResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><m:ResponseMessages><m:SubscribeResponseMessage ResponseClass="Error"><m:MessageText>busy</m:MessageText><m:ResponseCode>ErrorServerBusy</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey><m:MessageXml><t:Value Name="BackOffMilliseconds">297749</t:Value></m:MessageXml></m:SubscribeResponseMessage></m:ResponseMessages></m:SubscribeResponse>""");

        var response = Parse(200, body);

        Assert.Equal(("ErrorServerBusy", SubscribeErrorKind.Transient), (response.ResponseCode, response.Kind));
        Assert.Equal(TimeSpan.FromMilliseconds(297749), response.BackOff);
    }

    [Fact]
    public void Parse_ServerBusyFault_ReadsCodeAndBackOffFromDetail()
    {
        // Exchange's throttling answer: HTTP 500, a SOAP fault, the EWS code in the errors namespace.
        var body = InEnvelope("""<s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorServerBusy</faultcode><faultstring xml:lang="en-US">The server cannot service this request right now. Try again later.</faultstring><detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">ErrorServerBusy</e:ResponseCode><e:Message xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">The server cannot service this request right now. Try again later.</e:Message><t:MessageXml xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"><t:Value Name="BackOffMilliseconds">5000</t:Value></t:MessageXml></detail></s:Fault>""");

        var response = Parse(500, body);

        Assert.Equal(("ErrorServerBusy", SubscribeErrorKind.Transient, 500), (response.ResponseCode, response.Kind, response.HttpStatus));
        Assert.Equal(TimeSpan.FromSeconds(5), response.BackOff);
        Assert.Equal("The server cannot service this request right now. Try again later.", response.MessageText);
    }

    [Fact]
    public void Parse_FaultWithoutDetail_TakesTheCodeFromFaultcode()
    {
        var body = InEnvelope("""<s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorSchemaValidation</faultcode><faultstring>The request failed schema validation.</faultstring></s:Fault>""");

        var response = Parse(500, body);

        Assert.Equal(("ErrorSchemaValidation", SubscribeErrorKind.Permanent), (response.ResponseCode, response.Kind));
    }

    [Theory]
    [InlineData(401, "", "HttpUnauthorized", "Permanent")]
    [InlineData(403, "<html>forbidden</html>", "HttpForbidden", "Permanent")]
    [InlineData(503, "", "ErrorServerBusy", "Transient")]
    [InlineData(502, "<html>bad gateway</html>", "HttpError", "Transient")]
    [InlineData(200, "not xml at all", "InvalidResponse", "Transient")]
    public void Parse_NoSoapAnswer_ClassifiesByStatus(int status, string body, string code, string kind)
    {
        var response = Parse(status, body, TimeSpan.FromSeconds(7));

        Assert.Equal((code, kind), (response.ResponseCode, response.Kind.ToString()));
        Assert.Null(response.SubscriptionId);
    }

    [Fact]
    public void Parse_BusyWithRetryAfter_UsesIt()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), Parse(503, "", TimeSpan.FromSeconds(7)).BackOff);
    }

    [Fact]
    public void Parse_DtdInAnswer_IsRefusedNotExpanded()
    {
        var response = Parse(200, """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>""");

        Assert.Equal("InvalidResponse", response.ResponseCode);
    }

    [Theory]
    [InlineData("ErrorExceededSubscriptionCount", "Permanent")]
    [InlineData("ErrorImpersonateUserDenied", "Permanent")]
    [InlineData("ErrorAccessDenied", "Permanent")]
    [InlineData("TokenRequestFailed", "Permanent")]
    [InlineData("ErrorInvalidWatermark", "InvalidWatermark")]
    [InlineData("ErrorServerBusy", "Transient")]
    [InlineData("ErrorInternalServerTransientError", "Transient")]
    [InlineData("ErrorSomethingNew", "Transient")]
    public void Classify_SortsCodes(string code, string kind)
    {
        Assert.Equal(kind, SubscribeErrorClassifier.Classify(code).ToString());
    }
}
