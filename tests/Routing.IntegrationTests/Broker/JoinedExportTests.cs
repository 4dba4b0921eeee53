using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Routing.Adapters.Testing;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// The export as one document (issue 24): with Routing:DataRights naming the agent gateway, routing's POST /customers/{id}/export
/// carries the gateway's part (fetched with the gateway's admin token); a gateway that holds nothing is an empty part; a
/// gateway that cannot answer makes the export fail whole (502), with nothing audited, rather than answer without it.
/// </summary>
public sealed class JoinedExportTests : BrokerTest
{
    private readonly ConcurrentQueue<(string Path, string Authorization)> _asked = new();
    private WebApplication _gateway = null!;
    private string _gatewayUrl = "";
    private int _answer = 200;

    public override async Task InitializeAsync()
    {
        (_gateway, _gatewayUrl) = await LoopbackServer.StartAsync(app => app.MapPost("/admin/customers/{id}/export", (HttpContext http, string id) =>
        {
            _asked.Enqueue((http.Request.Path, http.Request.Headers.Authorization.ToString()));
            return _answer == 200
                ? Results.Json(new { customerId = id, service = "agent-gateway", tables = new { gateway_messages = new[] { new { body = "Gateway's copy of the sofa" } } } })
                : Results.Problem(statusCode: _answer);
        }));
        await base.InitializeAsync();
        await App.DisposeAsync();
        App = StartApp(new Dictionary<string, string?>
        {
            ["Routing:DataRights:GatewayUrl"] = _gatewayUrl,
            ["Routing:DataRights:GatewayAdminToken"] = "gateway-admin-token-for-tests",
        });
        Api = App.CreateClient();
        await WaitReadyAsync(Api);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task Should_join_the_gateways_part_and_refuse_to_export_without_it()
    {
        await CreateAgentAsync("anna", 5, ["email"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        var message = TestMessages.Inbound("email", "email", "sofa.owner@example.com", "<joined-1@mail>", "My sofa arrived broken", "Sofa Owner");
        await Broker.PublishAsync(message);
        var customer = (await routed.WaitForAsync(r => r.MessageId == message.MessageId)).CustomerId;

        var joined = await Api.PostAsync($"/customers/{customer}/export", null);
        _answer = 500;
        var failed = await Api.PostAsync($"/customers/{customer}/export", null);
        _answer = 404;
        var nothing = await Api.PostAsync($"/customers/{customer}/export", null);

        Assert.Equal(HttpStatusCode.OK, joined.StatusCode);
        var document = await joined.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("My sofa arrived broken", document.GetProperty("tables").GetProperty("messages")[0].GetProperty("body").GetString());
        Assert.Equal("Gateway's copy of the sofa", document.GetProperty("services").GetProperty("agent-gateway").GetProperty("tables")
            .GetProperty("gateway_messages")[0].GetProperty("body").GetString());
        Assert.Equal((HttpStatusCode.BadGateway, "application/problem+json"), (failed.StatusCode, failed.Content.Headers.ContentType?.MediaType));
        Assert.Equal(HttpStatusCode.OK, nothing.StatusCode);
        Assert.Empty((await nothing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("services").GetProperty("agent-gateway").GetProperty("tables").EnumerateObject());
        Assert.All(_asked, a => Assert.Equal(($"/admin/customers/{customer}/export", "Bearer gateway-admin-token-for-tests"), a));
        // two exports audited, not the one that failed
        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await Dapper.SqlMapper.ExecuteScalarAsync<int>(db,
            "select count(*) from data_rights_audit where customer_id = @customer and action = 'export'", new { customer }));
    }
}
