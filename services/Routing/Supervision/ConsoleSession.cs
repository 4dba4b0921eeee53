using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Routing.Access;
using Routing.Supervision.Views;

namespace Routing.Supervision;

/// <summary>Signing in with an operator token (which never leaves the form: the session cookie carries the operator's name and scope) and out.</summary>
internal static class ConsoleSession
{
    public static void Map(RouteGroupBuilder console)
    {
        console.MapGet("/sign-in", (HttpContext http, IAntiforgery antiforgery, TimeProvider time, string? returnUrl) =>
            Render(http, antiforgery, time, refused: false, returnUrl, StatusCodes.Status200OK));
        console.MapPost("/sign-in", SignInAsync).RequireRateLimiting(ConsoleSetup.SignInLimit).WithFormToken();
        console.MapPost("/sign-out", async (HttpContext http) =>
        {
            await http.SignOutAsync(ConsoleSetup.Scheme);
            return Results.Redirect(ConsoleSetup.BasePath + "/sign-in", permanent: false, preserveMethod: false);
        }).WithFormToken();
    }

    private static async Task<IResult> SignInAsync(HttpContext http, [FromForm] SignInForm form, OperatorTokens tokens, IAntiforgery antiforgery,
        TimeProvider time, ILogger<ConsolePage> logger)
    {
        if (string.IsNullOrEmpty(form.Token) || tokens.Find(form.Token.Trim()) is not { } caller)
        {
            logger.LogWarning("Console sign-in refused from {Address}", http.Connection.RemoteIpAddress);
            return Render(http, antiforgery, time, refused: true, form.ReturnUrl, StatusCodes.Status401Unauthorized);
        }
        await http.SignInAsync(ConsoleSetup.Scheme, new ClaimsPrincipal(caller.Identity(ConsoleSetup.Scheme)));
        logger.LogInformation("Operator {Operator} signed in to the console", caller.Name);
        return Results.Redirect(LocalReturn(form.ReturnUrl), permanent: false, preserveMethod: false);
    }

    /// <summary>Only a path of the console itself: never another site (an open redirect).</summary>
    private static string LocalReturn(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url.StartsWith(ConsoleSetup.BasePath, StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal)
            && !url.Contains('\\') && Uri.IsWellFormedUriString(url, UriKind.Relative)
            ? url
            : ConsoleSetup.BasePath;

    private static IResult Render(HttpContext http, IAntiforgery antiforgery, TimeProvider time, bool refused, string? returnUrl, int status)
    {
        var page = ConsolePages.PageFor(http, antiforgery, time, done: null, signedOut: true);
        return ConsolePages.Render<SignInPage>(page, new SignInModel(refused, LocalReturn(returnUrl)), status);
    }

    internal sealed class SignInForm
    {
        public string? Token { get; set; }

        public string? ReturnUrl { get; set; }
    }
}
