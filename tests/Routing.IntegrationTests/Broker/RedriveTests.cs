using System.Diagnostics;
using Routing.Adapters.Testing;
using Routing.Contracts;
using Routing.Testing;

namespace Routing.IntegrationTests.Broker;

/// <summary>
/// deploy/local/redrive.sh, the operator's one command for an error queue: everything goes back to its queue, what
/// now succeeds is routed, what still fails returns to the error queue, and the shovel that moved them is gone.
/// </summary>
public sealed class RedriveTests : BrokerTest
{
    private const string ErrorQueue = "inbound-message-received_error";

    [Fact]
    public async Task Should_move_an_error_queue_back_so_what_now_succeeds_is_routed_and_what_fails_returns()
    {
        await CreateAgentAsync("anna", 5, ["sms"]);
        await using var routed = await Broker.ObserveAsync<MessageRouted>();
        // A message that fails for good: routing puts it in the error queue, which it creates then.
        await Broker.PublishRawAsync(TestBroker.ExchangeFor<InboundMessageReceived>(), "{ not json"u8.ToArray(), "application/vnd.masstransit+json");
        await Eventually.TrueAsync($"the malformed message in {ErrorQueue}", async () => await ErrorCountAsync() == 1);
        // One that failed for a cause since fixed (a release with a bug, a missing setting), put there as routing would.
        var recovered = TestMessages.Inbound("sms", "phone", "+14155550142", "SM-redriven");
        await Broker.SendAsync(ErrorQueue, recovered);
        await Eventually.TrueAsync($"both messages in {ErrorQueue}", async () => await ErrorCountAsync() == 2);

        var output = Redrive(ErrorQueue, Broker.VirtualHost);

        Assert.Contains($"moving the messages of {ErrorQueue}", output);
        await routed.WaitForAsync(r => r.MessageId == recovered.MessageId);
        await Eventually.TrueAsync("the shovel to delete itself, the malformed message back alone",
            async () => (await Broker.ShovelsAsync()).GetArrayLength() == 0 && await ErrorCountAsync() == 1);
        Assert.Single(routed.Messages);
    }

    [Fact]
    public void Should_refuse_a_queue_that_is_not_an_error_queue()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Redrive("inbound-message-received", Broker.VirtualHost));
        Assert.Contains("is not an error queue", error.Message);
    }

    private Task<uint> ErrorCountAsync() => Broker.MessageCountAsync(ErrorQueue);

    private static string Redrive(string queue, string vhost)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(AdapterProcess.RepositoryRoot, "deploy", "local", "redrive.sh"), queue, vhost])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return process.ExitCode == 0 ? output.Result : throw new InvalidOperationException($"redrive.sh exited with {process.ExitCode}: {error.Result}");
    }
}
