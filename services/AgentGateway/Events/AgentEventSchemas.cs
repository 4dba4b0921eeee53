using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace Routing.AgentGateway.Events;

/// <summary>
/// The JSON Schema (2020-12) of each agent event, generated from the records the gateway serializes, so the schema
/// integrators read is the shape the gateway writes. Published in contracts/agent-events; a test fails when the
/// published files and the records part ways, and checks real deliveries against them.
/// </summary>
internal static class AgentEventSchemas
{
    public const string BaseId = "https://schemas.omnichannel-routing.dev/agent-events/";

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        [EventTypes.ConversationAssigned] = "The conversation is the agent's now, or offered to them until offerExpiresAt (requiresAccept): the customer as a person "
            + "(names, addresses, owners, the agents who served them, earlier messages), why routing chose this agent (routing.summary in words, "
            + "routing.receipt in full), and the conversation's messages so far.",
        [EventTypes.MessageReceived] = "The customer wrote again in a conversation the agent has.",
        [EventTypes.ConversationReleased] = "The conversation is no longer the agent's: reason is routing's code (offline-grace, offer-declined, offer-expired), "
            + "reasonText says it in words.",
        [EventTypes.ConversationClosed] = "The conversation was closed by closedBy: the agent, an operator, or routing.",
        [EventTypes.ReplyStatus] = "How far one of the agent's replies got: sent, delivered, read, failed (errorCode and errorMessage give the provider's reason), "
            + "or unknown (the provider gave no clear answer; do not send it again yet).",
        [EventTypes.TransferOffered] = "Another agent asks this agent to take a conversation they still have (a warm transfer) until expiresAt, with their note "
            + "and the customer's latest messages; answer at POST /transfers/{transferId}/accept or /decline.",
        [EventTypes.TransferEnded] = "How a transfer ended: outcome done, refused, declined, expired or cancelled, with the reason (text says it in words). "
            + "Told to the agent who asked and, when a warm transfer did not happen, to the agent it was offered to.",
        [EventTypes.ConversationHeld] = "A customer whose preferred agents are busy waits for them (heldFor, this agent among them) until holdUntil: "
            + "the agent who frees a slot or becomes available before then gets the conversation, else it goes to another agent. With the "
            + "customer's latest messages as far as the gateway has them.",
        [EventTypes.FollowUp] = "One of the agent's follow-ups changed: scheduled (it goes to the customer at dueAt), sent (the customer's answer comes to "
            + "this agent first), cancelled, or failed (reason says why). conversationId is the conversation it belongs to.",
        [EventTypes.Notice] = "A sentence for the agent in the tool where they acted (a Slack thread, a mail thread): why what they wrote there went nowhere. "
            + "Never sent to webhooks or the event stream.",
    };

    private static readonly JsonSerializerOptions Options = new(AgentEventLog.Json)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>The schema of <paramref name="type"/>'s events: the envelope, with type fixed to that type, and its data.</summary>
    public static JsonObject For(string type)
    {
        var envelope = typeof(AgentEvent<>).MakeGenericType(EventTypes.DataTypes[type]);
        var generated = JsonSchemaExporter.GetJsonSchemaAsNode(Options, envelope, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true })
            .AsObject();
        generated["properties"]!["type"] = new JsonObject { ["const"] = type };
        // The data is never null; the envelope's generic parameter carries no annotation to say so.
        generated["properties"]!["data"]!["type"] = "object";
        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = $"{BaseId}{type}.schema.json",
            ["title"] = type,
            ["description"] = Descriptions[type],
        };
        foreach (var (key, value) in generated.ToList())
        {
            generated.Remove(key);
            schema[key] = value;
        }
        return schema;
    }

    /// <summary>The schema as the published file holds it.</summary>
    public static string Text(string type) =>
        For(type).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
}
