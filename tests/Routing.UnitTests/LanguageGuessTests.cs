using Routing.Inbound;
using Routing.Policy;

namespace Routing.UnitTests;

public sealed class LanguageGuessTests
{
    [Theory]
    [InlineData("Hello, where is my order? It was due yesterday", "en")]
    [InlineData("Ciao, il mio ordine non è arrivato", "it")]
    [InlineData("Hola, mi pedido no ha llegado todavía, gracias", "es")]
    [InlineData("Bonjour, ma commande n'est pas arrivée, merci", "fr")]
    [InlineData("Hallo, meine Bestellung ist nicht angekommen, danke", "de")]
    [InlineData("Olá, o meu pedido não chegou, obrigado", "pt")]
    public void Should_guess_the_language_of_a_first_message(string text, string language) => Assert.Equal(language, LanguageGuess.Of(text));

    [Theory]
    [InlineData("ok")]
    [InlineData("👍")]
    [InlineData("12345 #A-778")]
    [InlineData("de la")] // French and Spanish alike
    public void Should_not_guess_from_too_little(string text) => Assert.Null(LanguageGuess.Of(text));

    [Fact]
    public void Should_relax_the_language_then_the_skills_as_the_conversation_waits()
    {
        var since = new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
        Need At(int minutes) => RoutingPolicy.NeedAt("whatsapp", "billing", "it", ["refunds"], since, since.AddMinutes(minutes),
            TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5));

        Assert.Equal(("it", 1), (At(1).Language, At(1).RequiredSkills.Count));
        Assert.Equal((null, 1), (At(2).Language, At(2).RequiredSkills.Count));
        Assert.Equal(((string?)null, 0, "billing"), (At(5).Language, At(5).RequiredSkills.Count, At(5).Team)); // a transfer's team stays
        Assert.Equal(since.AddMinutes(2), RoutingPolicy.NextRelaxation("it", ["refunds"], since, since.AddMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)));
        Assert.Equal(since.AddMinutes(5), RoutingPolicy.NextRelaxation("it", ["refunds"], since, since.AddMinutes(2), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)));
        Assert.Null(RoutingPolicy.NextRelaxation("it", ["refunds"], since, since.AddMinutes(5), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)));
    }
}
