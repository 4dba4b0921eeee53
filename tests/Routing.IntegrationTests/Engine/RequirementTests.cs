using Routing.Inbound;
using Routing.Contracts;
using Routing.Messaging;
using Routing.Testing;

namespace Routing.IntegrationTests.Engine;

/// <summary>
/// Languages and skills: a conversation goes to an agent who meets what it asks, the customer's preferred agents first
/// when they do; each requirement relaxes once the conversation has waited long enough, so nobody waits for ever.
/// </summary>
public sealed class RequirementTests : EngineTest
{
    private const string Italian = "Ciao, il mio ordine non è arrivato e non so quando arriva";

    private protected override void Configure(RoutingOptions options) =>
        options.Requirements.SkillRules.Add(new SkillRule { Skill = "refunds", Keywords = ["refund", "rimborso"] });

    private Task<InboundOutcome> WriteAsync(string phone, string text, IReadOnlyDictionary<string, string>? metadata = null) =>
        Engine.ReceiveAsync(TestMessages.Inbound("whatsapp", "phone", phone, text: text, at: Engine.Clock.GetUtcNow(), metadata: metadata));

    [Fact]
    public async Task Should_give_a_conversation_to_an_agent_who_speaks_the_customers_language()
    {
        await Engine.AddAgentAsync("anna", languages: ["en"]);
        await Engine.AddAgentAsync("bea", languages: ["it", "en"]);

        var italian = await WriteAsync("393331234567", Italian);
        var english = await WriteAsync("447700900123", "Hello, where is my order? It was due yesterday");

        Assert.Equal(("bea", "anna"), (italian.AgentId, english.AgentId));
        Assert.Equal("it", (await Engine.ConversationAsync(italian.ConversationId)).Language);
        var receipt = (await Engine.DecisionsAsync(italian.ConversationId)).Single();
        Assert.Contains("\"does not speak it\"", receipt.Candidates);
    }

    [Fact]
    public async Task Should_keep_the_owner_first_when_they_qualify_and_pass_them_over_until_relaxed_when_they_do_not()
    {
        await Engine.AddAgentAsync("anna", languages: ["en"]);
        await Engine.AddAgentAsync("bea", languages: ["it"]);
        await Engine.AddAgentAsync("carl"); // no languages listed: takes any
        var first = await WriteAsync("393331234567", "Hello, my order is late");
        await Engine.SetOwnersAsync(first.CustomerId, "anna", "carl");
        await Engine.CloseAsync(first.ConversationId);

        var inItalian = await WriteAsync("393331234567", Italian);

        // anna, the first owner, does not speak Italian; carl, the second, speaks anything: the owners still come before bea
        Assert.Equal("carl", inItalian.AgentId);
        var decision = (await Engine.DecisionsAsync(inItalian.ConversationId)).Single();
        Assert.Equal(RoutingReasons.PreferredOwner, decision.Reason);
        Assert.Contains("\"does not speak it\"", decision.Candidates);
    }

    [Fact]
    public async Task Should_queue_for_an_agent_who_qualifies_and_relax_the_language_after_its_wait()
    {
        await Engine.AddAgentAsync("anna", languages: ["en"]);

        var routed = await WriteAsync("393331234567", Italian);

        Assert.Equal("queued", routed.Status);
        var queued = (await Engine.EventsAsync<ConversationQueued>()).Single();
        Assert.Equal("no available agent (whatsapp, speaking it) has a free slot; requirements relax at 09:02:00 UTC", queued.Reason);
        await Engine.AdvanceAsync(TimeSpan.FromSeconds(119));
        Assert.Equal("queued", (await Engine.ConversationAsync(routed.ConversationId)).Status);

        await Engine.AdvanceAsync(TimeSpan.FromSeconds(1)); // Routing:Requirements:LanguageRelaxAfter

        Assert.Equal("anna", (await Engine.ConversationAsync(routed.ConversationId)).AgentId);
        var decision = (await Engine.DecisionsAsync(routed.ConversationId)).Last();
        Assert.Equal((RoutingTriggers.RequirementsRelaxed, RoutingReasons.Fallback), (decision.Trigger, decision.Reason));
    }

    [Fact]
    public async Task Should_ask_for_skills_from_the_metadata_and_the_rules_and_drain_only_to_an_agent_who_has_them_until_relaxed()
    {
        await Engine.AddAgentAsync("anna", capacity: 1);
        await Engine.AddAgentAsync("bea", capacity: 1, skills: ["refunds", "vip"]);
        var busy = await WriteAsync("447700900001", "Hello there, just a question about my order");
        var occupied = await WriteAsync("447700900002", "Hello again, another question about the order");
        Assert.Equal(["anna", "bea"], new[] { busy.AgentId, occupied.AgentId }.Order());

        var refund = await WriteAsync("447700900003", "I want a refund for the broken chair", new Dictionary<string, string> { ["skills"] = "VIP" });
        var conversation = await Engine.ConversationAsync(refund.ConversationId);
        Assert.Equal("queued", conversation.Status);
        Assert.Equal(["refunds", "vip"], conversation.Skills);

        var annas = busy.AgentId == "anna" ? busy : occupied;
        await Engine.CloseAsync(annas.ConversationId); // anna's slot frees, but she lacks the skills
        Assert.Equal("queued", (await Engine.ConversationAsync(refund.ConversationId)).Status);

        await Engine.AdvanceAsync(TimeSpan.FromMinutes(5)); // Routing:Requirements:SkillRelaxAfter

        Assert.Equal("anna", (await Engine.ConversationAsync(refund.ConversationId)).AgentId);
    }

    [Fact]
    public async Task Should_take_the_adapters_language_and_refuse_a_malformed_one_by_name()
    {
        await Engine.AddAgentAsync("anna", languages: ["pt"]);

        var given = await WriteAsync("5511987654321", "ok", new Dictionary<string, string> { ["language"] = "pt-BR" });

        Assert.Equal(("anna", "pt"), (given.AgentId, (await Engine.ConversationAsync(given.ConversationId)).Language));
        var bad = await Assert.ThrowsAsync<InvalidMessageException>(() =>
            WriteAsync("5511987650000", "ok", new Dictionary<string, string> { ["language"] = "português" }));
        Assert.Equal("metadata.language", bad.Field);
    }
}
