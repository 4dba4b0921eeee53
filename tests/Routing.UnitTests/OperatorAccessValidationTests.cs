using Routing.Access;

namespace Routing.UnitTests;

/// <summary>A refused Routing:Api:Tokens setting says which token and why, and never shows a token's value.</summary>
public sealed class OperatorAccessValidationTests
{
    private const string Good = "a-token-long-enough-for-routing-0001";

    [Theory]
    [InlineData("short-one", "reports", "Routing:Api:Tokens:reports:Token must have at least 24 characters.")]
    [InlineData(Good, "supervisors", "Routing:Api:Tokens supervisors and reports share a token: each caller needs its own.")]
    public void Should_name_the_token_that_is_refused(string token, string name, string expected)
    {
        var options = new OperatorAccessOptions();
        options.Tokens[name] = new OperatorToken { Token = token, Scope = OperatorScope.Admin };
        options.Tokens["reports"] = new OperatorToken { Token = name == "reports" ? token : Good, Scope = OperatorScope.Read };

        var result = new OperatorAccessValidation().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(expected, result.FailureMessage);
        Assert.DoesNotContain(Good, result.FailureMessage);
    }

    [Fact]
    public void Should_accept_distinct_long_tokens()
    {
        var options = new OperatorAccessOptions();
        options.Tokens["supervisors"] = new OperatorToken { Token = Good, Scope = OperatorScope.Admin };
        options.Tokens["reports"] = new OperatorToken { Token = Good + "-reports", Scope = OperatorScope.Read };

        Assert.True(new OperatorAccessValidation().Validate(null, options).Succeeded);
    }
}
