using System.Net.Http.Json;
using System.Text.Json;
using Routing.Testing;

namespace AgentGateway.Tests;

/// <summary>
/// Slack's refusals, scripted in its imitation: a 429 with Retry-After, a channel that is gone. A gateway of their own,
/// since a 429 pauses every Slack call of the gateway and a scripted answer goes to whichever call comes next.
/// </summary>
public sealed class SlackLimitTests(GatewayHost gateway) : IClassFixture<GatewayHost>
{
    private async Task<SlackCall> CallAsync(string method, string text, Func<SlackCall, bool>? also = null) =>
        await Eventually.ValueAsync($"Slack's {method} with \"{text}\"",
            () => Task.FromResult(gateway.Slack.CallsOf(method, text).FirstOrDefault(c => also?.Invoke(c) ?? true)));

    [Fact]
    public async Task Should_wait_out_Slacks_rate_limit_and_then_post()
    {
        var agent = await gateway.AgentAsync(slack: true);
        gateway.Slack.RateLimitNext(2);
        var conversation = await gateway.AssignAsync(agent.AgentId);

        var posted = await CallAsync("chat.postMessage", conversation.Id.ToString(), c => c.Status == 200);

        var limited = Assert.Single(gateway.Slack.CallsOf("chat.postMessage", conversation.Id.ToString()), c => c.Status == 429);
        Assert.True(posted.At - limited.At >= TimeSpan.FromSeconds(1.9), $"posted {posted.At - limited.At} after the 429 with Retry-After: 2");
    }

    [Fact]
    public async Task Should_disable_a_Slack_target_whose_channel_is_gone()
    {
        var agent = await gateway.AgentAsync(slack: true);
        gateway.Slack.FailNext("channel_not_found");
        var conversation = await gateway.AssignAsync(agent.AgentId);

        var target = await Eventually.ValueAsync("the agent's Slack target to be disabled", async () =>
        {
            var targets = await gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/agents/{agent.AgentId}/targets");
            var slack = targets.EnumerateArray().Single();
            return slack.GetProperty("enabled").GetBoolean() ? (JsonElement?)null : slack;
        });
        Assert.Equal("slack", target.GetProperty("kind").GetString());
        Assert.Contains("channel_not_found", target.GetProperty("disabledReason").GetString());
        Assert.Single(gateway.Slack.CallsOf("chat.postMessage", conversation.Id.ToString()));
    }
}
