using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Routing.DataRights;

/// <summary>Where routing's export finds the agent gateway's part (section "Routing:DataRights").</summary>
internal sealed class DataRightsOptions
{
    public const string Section = "Routing:DataRights";

    /// <summary>The agent gateway's base URL as routing reaches it (in Kubernetes http://agent-gateway); unset: the export is routing's alone, and says so.</summary>
    public string? GatewayUrl { get; set; }

    /// <summary>The gateway's admin token (its Gateway:AdminToken).</summary>
    public string? GatewayAdminToken { get; set; }
}

/// <summary>
/// The agent gateway's part of a customer's export (its POST /admin/customers/{id}/export), so that an operator gets everything
/// the platform holds about the person in one document. The gateway holding nothing about the customer is an empty part; a
/// gateway that cannot answer is a problem the export reports instead of answering without it.
/// </summary>
internal sealed class GatewayExportClient(HttpClient http, IOptions<DataRightsOptions> options)
{
    public const string Service = "agent-gateway";

    public bool Configured => options.Value is { GatewayUrl.Length: > 0, GatewayAdminToken.Length: > 0 };

    public async Task<(JsonElement? Part, string? Problem)> ReadAsync(Guid customerId, CancellationToken ct)
    {
        var config = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{config.GatewayUrl!.TrimEnd('/')}/admin/customers/{customerId}/export");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", config.GatewayAdminToken);
        try
        {
            using var response = await http.SendAsync(request, ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return (JsonSerializer.SerializeToElement(new { customerId, service = Service, tables = new Dictionary<string, object>() }, JsonSerializerOptions.Web), null);
            }
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"the agent gateway answered {(int)response.StatusCode}");
            }
            return (await JsonSerializer.DeserializeAsync<JsonElement>(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (null, $"the agent gateway could not be read ({ex.GetType().Name})");
        }
    }
}
