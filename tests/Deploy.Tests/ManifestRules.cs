using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Routing.Deploy.Tests;

/// <summary>
/// The rules every rendered overlay keeps (issue: deploy and operate on Kubernetes), as a list of violations so
/// a test can show both that the manifests keep them and that a manifest breaking one is caught.
/// </summary>
internal static partial class ManifestRules
{
    public const int AppUid = 1654;

    /// <summary>Each Deployment and the queue it consumes (its KEDA trigger): routing, the gateway, and an adapter per channel.</summary>
    public static readonly IReadOnlyDictionary<string, string> Services = new Dictionary<string, string>
    {
        ["routing"] = "inbound-message-received",
        ["agent-gateway"] = "agent-gateway",
    }.Concat(Channel.All.Select(c => KeyValuePair.Create(c.Service, c.SendQueue))).ToDictionary();

    /// <summary>The public paths the webhooks route (HTTPRoute, or Ingress with the ingress-nginx component) leads, and to which Service.</summary>
    public static readonly IReadOnlyDictionary<string, string> WebhookPaths =
        Channel.All.Select(c => KeyValuePair.Create($"/webhooks/{c.Name}", c.Service)).Append(KeyValuePair.Create("/slack", "agent-gateway")).ToDictionary();

    public static IReadOnlyList<string> Check(IReadOnlyList<Manifest> objects)
    {
        var violations = new List<string>();
        void Fail(Manifest m, string rule) => violations.Add($"{m.Kind}/{m.Name}: {rule}");

        foreach (var m in objects.Where(m => m.Kind == "Secret"))
        {
            Fail(m, "a Secret in the manifests (secrets are references to Secrets made outside them)");
        }
        foreach (var m in objects.Where(m => m.Kind == "ConfigMap"))
        {
            foreach (var (key, _) in m.Object["data"]?.AsObject() ?? [])
            {
                if (SecretName().IsMatch(key))
                {
                    Fail(m, $"{key} looks like a secret and is in a ConfigMap");
                }
            }
        }
        foreach (var m in objects.Where(m => m.Kind != "Namespace"))
        {
            foreach (var label in new[] { "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by" })
            {
                if (m.Label(label) is null)
                {
                    Fail(m, $"no {label} label");
                }
            }
        }

        foreach (var (name, _) in Services)
        {
            var deployment = objects.FirstOrDefault(m => m.Kind == "Deployment" && m.Name == name);
            if (deployment is null)
            {
                violations.Add($"Deployment/{name}: missing");
                continue;
            }
            var podLabels = deployment["spec.template.metadata.labels"]?.AsObject() ?? [];
            foreach (var label in new[] { "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component", "app.kubernetes.io/part-of" })
            {
                if (podLabels[label] is null)
                {
                    Fail(deployment, $"its pods have no {label} label");
                }
            }
            if (!Selects(deployment["spec.selector.matchLabels"], podLabels))
            {
                Fail(deployment, "its selector does not select its own pods");
            }
            if (!objects.Any(m => m.Kind == "Service" && m.Name == name && Selects(m["spec.selector"], podLabels)))
            {
                Fail(deployment, "no Service selecting its pods");
            }
            if (!objects.Any(m => m.Kind == "PodDisruptionBudget" && Selects(m["spec.selector.matchLabels"], podLabels)))
            {
                Fail(deployment, "no PodDisruptionBudget selecting its pods");
            }
            var spread = deployment["spec.template.spec.topologySpreadConstraints"]?.AsArray() ?? [];
            foreach (var key in new[] { "kubernetes.io/hostname", "topology.kubernetes.io/zone" })
            {
                // the constraint counts this service's pods only: its selector takes them, and the service's name narrows it
                if (!spread.Any(c => c!["topologyKey"]?.GetValue<string>() == key && Selects(c["labelSelector"]?["matchLabels"], podLabels)
                        && (c["matchLabelKeys"]?.AsArray().Any(k => k!.GetValue<string>() == "app.kubernetes.io/name") == true
                            || c["labelSelector"]?["matchLabels"]?["app.kubernetes.io/name"] is not null)))
                {
                    Fail(deployment, $"its replicas are not spread over {key}");
                }
            }
            CheckPod(deployment, objects, Fail, isService: true);
        }
        foreach (var job in objects.Where(m => m.Kind == "Job"))
        {
            CheckPod(job, objects, Fail, isService: false);
            if (job["spec.template.spec.containers.0.args.0"]?.GetValue<string>() != "migrate")
            {
                Fail(job, "a Job that does not run the migrations (args: [migrate])");
            }
        }
        foreach (var (service, key) in new[] { ("routing", "Routing__MigrateOnStart"), ("agent-gateway", "Gateway__MigrateOnStart") })
        {
            if (objects.FirstOrDefault(m => m.Kind == "Deployment" && m.Name == service) is { } d)
            {
                if (Configuration(d, objects).GetValueOrDefault(key) != "false")
                {
                    Fail(d, $"{key} is not false: the migration Job applies the schema");
                }
                if (!objects.Any(m => m.Kind == "Job" && m.Name == $"{service}-migrate"))
                {
                    Fail(d, $"no migration Job {service}-migrate");
                }
            }
        }

        CheckNetworkPolicies(objects, Fail, violations);
        CheckPublicEntry(objects, violations);
        CheckAutoscaling(objects, Fail);
        return violations;
    }

    private static void CheckPod(Manifest owner, IReadOnlyList<Manifest> objects, Action<Manifest, string> fail, bool isService)
    {
        var pod = owner["spec.template.spec"]!;
        if (pod["automountServiceAccountToken"]?.GetValue<bool>() != false)
        {
            fail(owner, "the service-account token is mounted");
        }
        if (pod["securityContext"]?["seccompProfile"]?["type"]?.GetValue<string>() != "RuntimeDefault")
        {
            fail(owner, "no RuntimeDefault seccomp profile");
        }
        var volumes = pod["volumes"]?.AsArray() ?? [];
        foreach (var container in pod["containers"]!.AsArray().Select(c => c!))
        {
            var security = container["securityContext"];
            var runAsUser = security?["runAsUser"] ?? pod["securityContext"]?["runAsUser"];
            var nonRoot = security?["runAsNonRoot"] ?? pod["securityContext"]?["runAsNonRoot"];
            if (runAsUser?.GetValue<long>() != AppUid || nonRoot?.GetValue<bool>() != true)
            {
                fail(owner, $"not run as the non-root user {AppUid}");
            }
            if (security?["readOnlyRootFilesystem"]?.GetValue<bool>() != true)
            {
                fail(owner, "the root filesystem is writable");
            }
            if (security?["allowPrivilegeEscalation"]?.GetValue<bool>() != false)
            {
                fail(owner, "privilege escalation is allowed");
            }
            if (!(security?["capabilities"]?["drop"]?.AsArray().Any(c => c!.GetValue<string>() == "ALL") ?? false))
            {
                fail(owner, "capabilities are not all dropped");
            }
            var tmp = container["volumeMounts"]?.AsArray().FirstOrDefault(v => v!["mountPath"]!.GetValue<string>() == "/tmp");
            if (tmp is null || !volumes.Any(v => v!["name"]!.GetValue<string>() == tmp["name"]!.GetValue<string>() && v["emptyDir"] is not null))
            {
                fail(owner, "no emptyDir at /tmp");
            }
            foreach (var part in new[] { "requests.cpu", "requests.memory", "limits.cpu", "limits.memory" })
            {
                if (Manifest.Path(container["resources"], part) is null)
                {
                    fail(owner, $"no resources.{part}");
                }
            }
            if (container["image"]?.GetValue<string>() is not { } image || !ImmutableImage().IsMatch(image))
            {
                fail(owner, "no image, or one by a moving tag (latest, main, none): a version tag or a digest pins what every node runs");
            }
            CheckEnvironment(owner, container, objects, fail);
            if (isService)
            {
                CheckProbesAndShutdown(owner, pod, container, objects, fail);
            }
        }
    }

    private static void CheckProbesAndShutdown(Manifest owner, JsonNode pod, JsonNode container, IReadOnlyList<Manifest> objects, Action<Manifest, string> fail)
    {
        var port = container["ports"]?.AsArray().FirstOrDefault(p => p!["name"]?.GetValue<string>() == "http");
        if (port is null)
        {
            fail(owner, "no container port named http");
        }
        foreach (var (probe, path) in new[] { ("startupProbe", "/health/live"), ("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready") })
        {
            var get = container[probe]?["httpGet"];
            if (get?["path"]?.GetValue<string>() != path || get["port"]?.ToString() != "http")
            {
                fail(owner, $"{probe} is not an HTTP GET of {path} on the http port");
            }
        }
        var preStop = container["lifecycle"]?["preStop"]?["sleep"]?["seconds"]?.GetValue<long>();
        var grace = pod["terminationGracePeriodSeconds"]?.GetValue<long>();
        var configuration = Configuration(owner, objects);
        if (preStop is null || grace is null
            || !TimeSpan.TryParse(configuration.GetValueOrDefault("Shutdown__HostTimeout"), out var host)
            || !TimeSpan.TryParse(configuration.GetValueOrDefault("Shutdown__BusStopTimeout"), out var bus))
        {
            fail(owner, "graceful shutdown not configured (preStop sleep, terminationGracePeriodSeconds, Shutdown__HostTimeout, Shutdown__BusStopTimeout)");
            return;
        }
        if (grace.Value <= preStop.Value + host.TotalSeconds + bus.TotalSeconds)
        {
            fail(owner, $"terminationGracePeriodSeconds {grace} is not larger than preStop {preStop} s + host shutdown {host.TotalSeconds} s + bus stop {bus.TotalSeconds} s");
        }
    }

    private static void CheckEnvironment(Manifest owner, JsonNode container, IReadOnlyList<Manifest> objects, Action<Manifest, string> fail)
    {
        var defined = new HashSet<string>(ConfigMapValues(container, objects).Keys);
        foreach (var entry in container["env"]?.AsArray().Select(e => e!) ?? [])
        {
            var name = entry["name"]!.GetValue<string>();
            if (entry["value"]?.GetValue<string>() is { } value)
            {
                foreach (Match reference in Reference().Matches(value))
                {
                    if (!defined.Contains(reference.Groups[1].Value))
                    {
                        fail(owner, $"{name} refers to $({reference.Groups[1].Value}), which is not defined before it");
                    }
                }
                var literal = Reference().Replace(value, "");
                if (SecretName().IsMatch(name) || PasswordInValue().IsMatch(literal))
                {
                    fail(owner, $"{name} holds a secret as plain text");
                }
            }
            defined.Add(name);
        }
    }

    private static void CheckNetworkPolicies(IReadOnlyList<Manifest> objects, Action<Manifest, string> fail, List<string> violations)
    {
        var policies = objects.Where(m => m.Kind == "NetworkPolicy").ToList();
        var denyAll = policies.Any(p =>
            p["spec.podSelector.matchLabels"]?.AsObject() is { Count: 1 } labels
            && labels["app.kubernetes.io/part-of"]?.GetValue<string>() == "omnichannel-routing"
            && p["spec.ingress"] is null && p["spec.egress"] is null
            && p["spec.policyTypes"]?.AsArray().Select(t => t!.GetValue<string>()).Order().SequenceEqual(["Egress", "Ingress"]) == true);
        if (!denyAll)
        {
            violations.Add("NetworkPolicy: no default deny (ingress and egress) for every pod of the platform");
        }
        foreach (var policy in policies)
        {
            // a compromised internet-facing adapter must not reach the operators' APIs
            if (policy["spec.ingress"]?.AsArray().Any(rule => rule!["from"]?.AsArray().Any(from =>
                    from!["podSelector"] is JsonObject selector && from["namespaceSelector"] is null
                    && selector["matchLabels"] is null or JsonObject { Count: 0 } && selector["matchExpressions"] is null or JsonArray { Count: 0 }) == true) == true)
            {
                fail(policy, "ingress from every pod of the namespace");
            }
            var general = policy["spec.egress"]?.AsArray().Any(rule =>
                rule!["to"] is null or JsonArray { Count: 0 }
                || rule["to"]!.AsArray().Any(to => to!["ipBlock"]?["cidr"]?.GetValue<string>() is { } cidr && PrivateNetworks.TryGetValue(cidr, out var exceptions)
                    && !exceptions.All(network => to["ipBlock"]!["except"]?.AsArray().Any(e => e!.GetValue<string>() == network) == true))) ?? false;
            if (general)
            {
                fail(policy, "egress open to private or metadata addresses (the cluster, the nodes' networks, 169.254.169.254)");
            }
        }
        if (!policies.Any(p => p["spec.podSelector.matchLabels"]?["app.kubernetes.io/name"]?.GetValue<string>() == "agent-gateway"
                               && p["spec.egress"]?.AsArray().Any(rule => rule!["to"]?.AsArray().Any(to => to!["ipBlock"]?["cidr"]?.GetValue<string>() == "0.0.0.0/0") == true) == true))
        {
            violations.Add("NetworkPolicy: the agent gateway cannot reach public addresses (agents' tools, Slack, mail)");
        }
    }

    /// <summary>What no pod's egress to "anywhere" may include: private, CGNAT, link-local (cloud metadata), unique-local and IPv4-mapped networks (loopback never leaves the pod).</summary>
    private static readonly Dictionary<string, string[]> PrivateNetworks = new()
    {
        ["0.0.0.0/0"] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"],
        ["::/0"] = ["fc00::/7", "fe80::/10", "::ffff:0:0/96"],
    };

    /// <summary>The webhooks' and the agent API's paths lead to their Services: through HTTPRoutes (the default) or Ingresses.</summary>
    private static void CheckPublicEntry(IReadOnlyList<Manifest> objects, List<string> violations)
    {
        var paths = new Dictionary<string, (string Service, Func<JsonNode, bool> Port)>();
        foreach (var route in objects.Where(m => m.Kind == "HTTPRoute"))
        {
            if (route["spec.parentRefs"] is not JsonArray { Count: > 0 })
            {
                violations.Add($"HTTPRoute/{route.Name}: attached to no Gateway (parentRefs)");
            }
            foreach (var rule in route["spec.rules"]?.AsArray() ?? [])
            {
                var backend = rule!["backendRefs"]?[0];
                foreach (var match in rule["matches"]?.AsArray() ?? [])
                {
                    var port = backend?["port"]?.GetValue<long>();
                    paths[match!["path"]?["value"]?.GetValue<string>() ?? "/"] =
                        (backend?["name"]?.GetValue<string>() ?? "", p => p["name"]?.GetValue<string>() == "http" && p["port"]?.GetValue<long>() == port);
                }
            }
        }
        foreach (var path in objects.Where(m => m.Kind == "Ingress").SelectMany(i => i["spec.rules"]!.AsArray().SelectMany(r => r!["http"]!["paths"]!.AsArray())))
        {
            var backend = path!["backend"]!["service"]!;
            var port = backend["port"]?["name"]?.GetValue<string>();
            paths[path["path"]!.GetValue<string>()] = (backend["name"]!.GetValue<string>(), p => p["name"]?.GetValue<string>() == port && port == "http");
        }
        foreach (var (path, service) in WebhookPaths.Append(new("/me", "agent-gateway")).Append(new("/conversations", "agent-gateway")))
        {
            if (paths.GetValueOrDefault(path).Service != service)
            {
                violations.Add($"public entry: {path} does not lead to the Service {service}");
            }
        }
        foreach (var (path, (service, port)) in paths)
        {
            if (!objects.Any(m => m.Kind == "Service" && m.Name == service && m["spec.ports"]!.AsArray().Any(p => port(p!))))
            {
                violations.Add($"public entry: {path} leads to {service}, which is not a Service with that http port");
            }
        }
    }

    private static void CheckAutoscaling(IReadOnlyList<Manifest> objects, Action<Manifest, string> fail)
    {
        foreach (var scaled in objects.Where(m => m.Kind == "ScaledObject"))
        {
            var target = scaled["spec.scaleTargetRef.name"]?.GetValue<string>() ?? "";
            var trigger = scaled["spec.triggers"]?.AsArray().FirstOrDefault(t => t!["type"]?.GetValue<string>() == "rabbitmq");
            if (!Services.TryGetValue(target, out var queue) || trigger?["metadata"]?["queueName"]?.GetValue<string>() != queue)
            {
                fail(scaled, $"does not scale {target} on the queue it consumes");
                continue;
            }
            // KEDA runs in a namespace of its own: the infrastructure's Services by their fully qualified names
            var ns = InfrastructureRules.NamespaceNamed(objects);
            if (trigger["metadata"]?["host"]?.GetValue<string>() != $"amqp://rabbitmq.{ns}.svc:5672/")
            {
                fail(scaled, $"the broker's host is not rabbitmq.{ns}.svc");
            }
            var auth = trigger["authenticationRef"]?["name"]?.GetValue<string>();
            if (!objects.Any(m => m.Kind == "TriggerAuthentication" && m.Name == auth))
            {
                fail(scaled, $"its TriggerAuthentication {auth} is missing");
            }
            if (target == "agent-gateway" && !(scaled["spec.triggers"]?.AsArray().Any(t => t!["type"]?.GetValue<string>() == "postgresql"
                    && t["metadata"]?["query"]?.GetValue<string>() is { } query && query.Contains("gateway_deliveries", StringComparison.Ordinal)
                    && query.Contains("'pending'", StringComparison.Ordinal)
                    && t["metadata"]?["host"]?.GetValue<string>() == $"agent-gateway-db-rw.{ns}.svc"
                    && objects.Any(m => m.Kind == "TriggerAuthentication" && m.Name == t["authenticationRef"]?["name"]?.GetValue<string>())) ?? false))
            {
                fail(scaled, $"the gateway does not scale on its due deliveries (a postgresql trigger on agent-gateway-db-rw.{ns}.svc)");
            }
            if (objects.FirstOrDefault(m => m.Kind == "Deployment" && m.Name == target)?["spec.replicas"] is not null)
            {
                fail(scaled, $"the Deployment {target} sets replicas, which KEDA owns");
            }
        }
        foreach (var hpa in objects.Where(m => m.Kind == "HorizontalPodAutoscaler"))
        {
            if (!Services.ContainsKey(hpa["spec.scaleTargetRef.name"]?.GetValue<string>() ?? ""))
            {
                fail(hpa, "scales something that is not one of the services");
            }
            if (hpa["spec.metrics"]?.AsArray().Any(m => m!["resource"]?["name"]?.GetValue<string>() == "memory") == true)
            {
                fail(hpa, "scales on memory, which a .NET process keeps once grown: it would scale up and never down");
            }
        }
    }

    /// <summary>What the container's configuration will hold: its ConfigMaps' data, then its literal env values.</summary>
    public static Dictionary<string, string> Configuration(Manifest owner, IReadOnlyList<Manifest> objects)
    {
        var container = owner["spec.template.spec.containers.0"]!;
        var values = ConfigMapValues(container, objects);
        foreach (var entry in container["env"]?.AsArray() ?? [])
        {
            if (entry!["value"]?.GetValue<string>() is { } value)
            {
                values[entry["name"]!.GetValue<string>()] = value;
            }
        }
        return values;
    }

    private static Dictionary<string, string> ConfigMapValues(JsonNode container, IReadOnlyList<Manifest> objects)
    {
        var values = new Dictionary<string, string>();
        foreach (var name in container["envFrom"]?.AsArray().Select(e => e!["configMapRef"]?["name"]?.GetValue<string>()).OfType<string>() ?? [])
        {
            var map = objects.FirstOrDefault(m => m.Kind == "ConfigMap" && m.Name == name);
            foreach (var (key, value) in map?.Object["data"]?.AsObject() ?? [])
            {
                values[key] = value!.GetValue<string>();
            }
        }
        return values;
    }

    /// <summary>The label that selects a release's first step: the migration Jobs and what they read that the overlay generates.</summary>
    public const string MigrationStep = "omnichannel-routing/step";

    /// <summary>
    /// What `kubectl apply -l omnichannel-routing/step=migrate` would leave a Job without: a Job outside the selection, a
    /// ConfigMap a selected Job reads that the selection does not apply, a Secret it reads that is neither applied nor
    /// <paramref name="createdBefore"/> (the operators' and the operations team's). Before this check the Jobs were selected
    /// by their component label alone and waited for ever for the platform ConfigMap (CreateContainerConfigError).
    /// </summary>
    public static IReadOnlyList<string> MigrationStepGaps(IReadOnlyList<Manifest> objects, Func<string, bool> createdBefore)
    {
        var selected = objects.Where(m => m.Label(MigrationStep) == "migrate").ToList();
        var gaps = objects.Where(m => m.Kind == "Job" && !selected.Contains(m)).Select(m => $"{m}: not in the migration step").ToList();
        var configMaps = selected.Where(m => m.Kind == "ConfigMap").Select(m => m.Name).ToHashSet();
        var secrets = selected.Where(m => m.Kind == "Secret").Select(m => m.Name).ToHashSet();
        foreach (var job in selected.Where(m => m.Kind == "Job"))
        {
            gaps.AddRange(ReferencedConfigMaps(job).Where(name => !configMaps.Contains(name))
                .Select(name => $"{job}: reads ConfigMap {name}, which the migration step does not apply"));
            gaps.AddRange(ReferencedSecrets([job]).Where(name => !secrets.Contains(name) && !createdBefore(name))
                .Select(name => $"{job}: reads Secret {name}, which the migration step does not apply and nobody creates before it"));
        }
        return gaps;
    }

    /// <summary>
    /// Who logs in to RabbitMQ (issue 19): every Deployment and KEDA as a broker user of their own, declared with its
    /// permissions in the overlay (the Messaging Topology Operator's User and Permission, whose generated Secret
    /// &lt;user&gt;-user-credentials it reads), never as the cluster's administrator; and a cluster (in
    /// <paramref name="infrastructure"/>) that
    /// creates that administrator at all: with load_definitions RabbitMQ seeds no default user, and the topology
    /// operator, which manages the cluster as that user, could not create the others.
    /// </summary>
    public static IReadOnlyList<string> BrokerUserGaps(IReadOnlyList<Manifest> overlay, IReadOnlyList<Manifest> infrastructure)
    {
        var gaps = new List<string>();
        var users = overlay.Where(m => m is { Kind: "User", ApiVersion: "rabbitmq.com/v1beta1" }).Select(m => m.Name).ToHashSet();
        var permitted = overlay.Where(m => m.Kind == "Permission")
            .Select(m => m["spec.userReference.name"]?.GetValue<string>() ?? m["spec.user"]?.GetValue<string>()).ToHashSet();
        foreach (var cluster in infrastructure.Where(m => m.Kind == "RabbitmqCluster"))
        {
            if (cluster["spec.rabbitmq.additionalConfig"]?.GetValue<string>() is { } config && config.Contains("load_definitions", StringComparison.Ordinal))
            {
                gaps.Add($"{cluster}: loads definitions, so RabbitMQ creates no default user and nobody can log in to declare the others");
            }
        }
        void NeedsUser(Manifest m, string? secret)
        {
            var user = secret is not null && secret.EndsWith("-user-credentials", StringComparison.Ordinal) ? secret[..^"-user-credentials".Length] : null;
            if (user is null)
            {
                gaps.Add($"{m}: logs in to RabbitMQ with {secret ?? "no credentials"}, not a broker user's generated Secret (<user>-user-credentials)");
            }
            else if (!users.Contains(user))
            {
                gaps.Add($"{m}: reads {secret}, but no User {user} is declared");
            }
            else if (!permitted.Contains(user))
            {
                gaps.Add($"{m}: its broker user {user} has no Permission");
            }
        }
        foreach (var deployment in overlay.Where(m => m.Kind == "Deployment"))
        {
            var container = deployment["spec.template.spec.containers.0"];
            var fromSecret = container?["envFrom"]?.AsArray()
                .FirstOrDefault(e => e?["prefix"]?.GetValue<string>() == "RabbitMq__" && e["secretRef"] is not null)?["secretRef"]?["name"]?.GetValue<string>();
            NeedsUser(deployment, fromSecret);
            if (fromSecret is not null && fromSecret != $"{deployment.Name}-user-credentials")
            {
                gaps.Add($"{deployment}: logs in as another service's broker user ({fromSecret})");
            }
            foreach (var e in container?["env"]?.AsArray() ?? [])
            {
                if (e?["name"]?.GetValue<string>() is "RabbitMq__Username" or "RabbitMq__Password")
                {
                    gaps.Add($"{deployment}: sets {e["name"]} itself, over its broker user's Secret");
                }
            }
        }
        foreach (var auth in overlay.Where(m => m.Kind == "TriggerAuthentication"
            && m["spec.secretTargetRef"]?.AsArray().Any(r => r?["parameter"]?.GetValue<string>() == "username") == true))
        {
            NeedsUser(auth, auth["spec.secretTargetRef"]!.AsArray().First(r => r!["parameter"]!.GetValue<string>() == "username")!["name"]!.GetValue<string>());
        }
        foreach (var m in overlay.Where(m => ReferencedSecrets([m]).Any(name => name.EndsWith("-default-user", StringComparison.Ordinal))))
        {
            gaps.Add($"{m}: reads the RabbitmqCluster's administrator (its default-user Secret)");
        }
        return gaps;
    }

    /// <summary>Every ConfigMap an object reads (envFrom, env, volumes), by name.</summary>
    public static IReadOnlySet<string> ReferencedConfigMaps(Manifest m)
    {
        var names = new SortedSet<string>();
        Visit(m.Object, null, (key, o) =>
        {
            if (key is "configMapKeyRef" or "configMapRef" or "configMap" && o["name"] is JsonValue n)
            {
                names.Add(n.GetValue<string>());
            }
        });
        return names;
    }

    /// <summary>Calls <paramref name="visit"/> with every object below <paramref name="node"/> and the key it is under (an array's items: the array's key).</summary>
    private static void Visit(JsonNode? node, string? key, Action<string?, JsonObject> visit)
    {
        switch (node)
        {
            case JsonObject o:
                visit(key, o);
                foreach (var (k, v) in o)
                {
                    Visit(v, k, visit);
                }
                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    Visit(item, key, visit);
                }
                break;
        }
    }

    /// <summary>Every Secret the manifests expect to exist, by name.</summary>
    public static IReadOnlySet<string> ReferencedSecrets(IReadOnlyList<Manifest> objects)
    {
        var names = new SortedSet<string>();
        void Walk(JsonNode? node, string? key) => Visit(node, key, (k, o) =>
        {
            if (k is "secretKeyRef" or "secretRef" && o["name"] is JsonValue n)
            {
                names.Add(n.GetValue<string>());
            }
            if (o["secretName"] is JsonValue s)
            {
                names.Add(s.GetValue<string>());
            }
        });
        foreach (var m in objects)
        {
            Walk(m.Object, null);
            if (m.Kind == "TriggerAuthentication")
            {
                foreach (var target in m["spec.secretTargetRef"]?.AsArray() ?? [])
                {
                    names.Add(target!["name"]!.GetValue<string>());
                }
            }
        }
        return names;
    }

    private static bool Selects(JsonNode? selector, JsonObject labels) =>
        selector is JsonObject { Count: > 0 } s && s.All(kv => labels[kv.Key]?.GetValue<string>() == kv.Value?.GetValue<string>());

    /// <summary>An image by digest, or by a version tag (1.0.0, 1.1.0-main.42), not by a branch's or "latest".</summary>
    [GeneratedRegex(@"(@sha256:[0-9a-f]{64}$)|(:v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$)")]
    private static partial Regex ImmutableImage();

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"(?i)(password|secret|secretkey|token|signingkey|accesskey|apikey|consumerkey)$")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(?i)password=[^;$]")]
    private static partial Regex PasswordInValue();
}
