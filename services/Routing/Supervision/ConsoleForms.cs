using Microsoft.AspNetCore.Antiforgery;
using Routing.Supervision.Views;

namespace Routing.Supervision;

/// <summary>
/// Every form the console posts carries its antiforgery token, checked here before anything is read or done: a post without
/// it (a forged one from another site, which SameSite=Strict already keeps the cookie from) is refused with 400 and a page
/// that says so.
/// </summary>
internal static class ConsoleForms
{
    public static RouteHandlerBuilder WithFormToken(this RouteHandlerBuilder endpoint) =>
        endpoint.DisableAntiforgery().AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            if (!http.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(http))
            {
                return NotDone(http, StatusCodes.Status400BadRequest,
                    "The form's token is missing or expired: reload the page and try again.", ConsoleSetup.BasePath);
            }
            return await next(context);
        });

    /// <summary>The "Not done" page with <paramref name="status"/>: what went wrong, in words, and the way back.</summary>
    public static IResult NotDone(HttpContext http, int status, string message, string backTo)
    {
        var page = ConsolePages.PageFor(http, http.RequestServices.GetRequiredService<IAntiforgery>(),
            http.RequestServices.GetRequiredService<TimeProvider>(), done: null);
        return ConsolePages.Render<NotDonePage>(page, new NotDoneModel(message, backTo), status);
    }
}
