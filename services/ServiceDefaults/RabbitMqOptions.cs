using System.ComponentModel.DataAnnotations;

namespace Routing.ServiceDefaults;

public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    /// <summary>amqp://user:password@host:port/vhost</summary>
    [Required]
    public string Url { get; set; } = "amqp://guest:guest@127.0.0.1:5672/";

    /// <summary>
    /// The user, when not in <see cref="Url"/>: Kubernetes hands it over from the RabbitmqCluster's
    /// default-user secret as it is, with no URL escaping to get wrong. It wins over the URL's.
    /// </summary>
    public string? Username { get; set; }

    /// <summary>The password that goes with <see cref="Username"/> (or with the URL's user).</summary>
    public string? Password { get; set; }

    /// <summary>Quorum queues (production). They need an explicit delivery limit: -1 dead-letters at the first retry on RabbitMQ 3.10.</summary>
    public bool QuorumQueues { get; set; }

    [Range(1, 1000)]
    public int DeliveryLimit { get; set; } = 20;

    [Range(1, 10_000)]
    public int PrefetchCount { get; set; } = 64;

    /// <summary>The user and password to log in with: <see cref="Username"/>/<see cref="Password"/> over the URL's user information; null for none.</summary>
    public (string Username, string Password)? Credentials()
    {
        var userInfo = new Uri(Url).UserInfo.Split(':', 2);
        var username = !string.IsNullOrEmpty(Username) ? Username : Uri.UnescapeDataString(userInfo[0]);
        var password = Password ?? (userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "");
        return username.Length == 0 ? null : (username, password);
    }
}
