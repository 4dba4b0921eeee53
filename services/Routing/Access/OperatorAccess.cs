using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Routing.Access;

/// <summary>What an operator token may do: read (GET) or everything (admin).</summary>
public enum OperatorScope
{
    Read,
    Admin,
}

/// <summary>One named caller of routing's API: a supervisor's console, the demo, an operations script.</summary>
public sealed class OperatorToken
{
    public const int MinimumLength = 24;

    /// <summary>The bearer token itself, from a secret; at least <see cref="MinimumLength"/> characters.</summary>
    public string Token { get; set; } = "";

    public OperatorScope Scope { get; set; } = OperatorScope.Read;
}

/// <summary>
/// Routing:Api:Tokens:{name}:Token and :Scope. With none, the API answers 401 to everything but the health endpoints:
/// nothing is open by default.
/// </summary>
public sealed class OperatorAccessOptions
{
    public const string Section = "Routing:Api";

    public Dictionary<string, OperatorToken> Tokens { get; set; } = new(StringComparer.Ordinal);

    public static ValidationResult? Validate(OperatorAccessOptions options)
    {
        foreach (var (name, token) in options.Tokens)
        {
            if (token.Token.Length < OperatorToken.MinimumLength)
            {
                return new ValidationResult($"Routing:Api:Tokens:{name}:Token must have at least {OperatorToken.MinimumLength} characters.");
            }
            if (!Enum.IsDefined(token.Scope))
            {
                return new ValidationResult($"Routing:Api:Tokens:{name}:Scope must be Read or Admin.");
            }
        }
        var shared = options.Tokens.GroupBy(t => t.Value.Token, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return shared is null ? null : new ValidationResult($"Routing:Api:Tokens {string.Join(" and ", shared.Select(t => t.Key))} share a token: each caller needs its own.");
    }
}

/// <summary>A refused Routing:Api:Tokens names the token and what is wrong with it (never its value).</summary>
internal sealed class OperatorAccessValidation : IValidateOptions<OperatorAccessOptions>
{
    public ValidateOptionsResult Validate(string? name, OperatorAccessOptions options) =>
        OperatorAccessOptions.Validate(options) is { ErrorMessage: { } error } ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
}

/// <summary>
/// The operator-token scheme (RFC 6750): "Authorization: Bearer {token}" of a configured operator. Tokens are compared as
/// SHA-256 digests in constant time against every configured one, and never logged. It runs before the endpoint binds
/// anything, so a caller without a token learns nothing of the API's validation: none or an unknown token is 401, a read
/// token on a change 403, both problem+json with the WWW-Authenticate error.
/// </summary>
internal sealed class OperatorTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemes, ILoggerFactory logging, System.Text.Encodings.Web.UrlEncoder encoder,
    OperatorTokens tokens, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemes, logging, encoder)
{
    public const string SchemeName = "OperatorToken";
    public const string ScopeClaim = "scope";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (tokens.Find(header["Bearer ".Length..].Trim()) is not { } caller)
        {
            return Task.FromResult(AuthenticateResult.Fail("invalid_token"));
        }
        Activity.Current?.SetTag("routing.operator", caller.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(caller.Identity(SchemeName)), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var refused = (await HandleAuthenticateOnceSafeAsync()).Failure is not null;
        Response.Headers.WWWAuthenticate = refused ? "Bearer realm=\"routing\", error=\"invalid_token\"" : "Bearer realm=\"routing\"";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, refused ? "Operator token refused" : "Operator token required",
            refused ? "The bearer token is not one of routing's operator tokens." : "Routing's API takes Authorization: Bearer <token> of an operator (Routing:Api:Tokens).");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"routing\", error=\"insufficient_scope\", scope=\"admin\"";
        await WriteProblemAsync(StatusCodes.Status403Forbidden, "Admin scope required", "This operator token may read, not change.");
    }

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

}

/// <summary>A configured operator: its name (never its token) and what it may do.</summary>
internal sealed record OperatorCaller(string Name, OperatorScope Scope)
{
    public bool IsAdmin => Scope == OperatorScope.Admin;

    /// <summary>The caller as an identity of <paramref name="scheme"/>: its name, and its scope in <see cref="OperatorTokenHandler.ScopeClaim"/>.</summary>
    public ClaimsIdentity Identity(string scheme) =>
        new([new Claim(ClaimTypes.Name, Name), new Claim(OperatorTokenHandler.ScopeClaim, Scope.ToString())], scheme);
}

/// <summary>
/// The operator tokens, kept as SHA-256 digests: the API's bearer scheme and the console's sign-in both find a caller here.
/// Every token is compared in constant time, so the time taken says nothing about which one came close.
/// </summary>
internal sealed class OperatorTokens(IOptions<OperatorAccessOptions> access)
{
    private readonly (string Name, byte[] Digest, OperatorScope Scope)[] _tokens =
        access.Value.Tokens.Select(t => (t.Key, Digest(t.Value.Token), t.Value.Scope)).ToArray();

    public OperatorCaller? Find(string token)
    {
        var digest = Digest(token);
        OperatorCaller? found = null;
        foreach (var (name, expected, scope) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, expected))
            {
                found = new OperatorCaller(name, scope);
            }
        }
        return found;
    }

    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}

/// <summary>Reading (GET, HEAD) takes either scope; anything else the admin scope. Every change is logged with its operator's name.</summary>
internal sealed class OperatorScopeRequirement : AuthorizationHandler<OperatorScopeRequirement>, IAuthorizationRequirement
{
    public const string Policy = "operator";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperatorScopeRequirement requirement)
    {
        if (context.Resource is not HttpContext http || context.User.FindFirst(OperatorTokenHandler.ScopeClaim) is not { } scope)
        {
            return Task.CompletedTask;
        }
        var reads = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method);
        if (reads)
        {
            context.Succeed(requirement);
        }
        else if (scope.Value == nameof(OperatorScope.Admin))
        {
            // the path names ids only; the query, which may carry an address, is left out
            http.RequestServices.GetRequiredService<ILogger<OperatorScopeRequirement>>()
                .LogInformation("Operator {Operator}: {Method} {Path}", context.User.Identity?.Name, http.Request.Method, http.Request.Path.Value);
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
