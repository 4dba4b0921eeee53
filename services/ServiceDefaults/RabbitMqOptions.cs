using System.ComponentModel.DataAnnotations;

namespace Routing.ServiceDefaults;

public sealed class RabbitMqOptions
{
    public const string Section = "RabbitMq";

    /// <summary>amqp://user:password@host:port/vhost</summary>
    [Required]
    public string Url { get; set; } = "amqp://guest:guest@127.0.0.1:5672/";

    /// <summary>Quorum queues (production). They need an explicit delivery limit: -1 dead-letters at the first retry on RabbitMQ 3.10.</summary>
    public bool QuorumQueues { get; set; }

    [Range(1, 1000)]
    public int DeliveryLimit { get; set; } = 20;

    [Range(1, 10_000)]
    public int PrefetchCount { get; set; } = 64;
}
