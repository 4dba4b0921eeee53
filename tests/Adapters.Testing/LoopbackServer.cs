using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Routing.Adapters.Testing;

/// <summary>A small HTTP server on 127.0.0.1 and a free port, for the imitations of providers' APIs and of agents' tools.</summary>
public static class LoopbackServer
{
    /// <summary>Starts a server with the routes <paramref name="map"/> adds; returns it and its base URL (http://127.0.0.1:port).</summary>
    /// <param name="quiet">Logs warnings only, not every request (a server under load).</param>
    public static async Task<(WebApplication App, string Url)> StartAsync(Action<WebApplication> map, bool quiet = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        if (quiet)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        }
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }
}
