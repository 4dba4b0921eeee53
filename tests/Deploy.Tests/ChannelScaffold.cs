using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Routing.Deploy.Tests;

/// <summary>
/// Writes what a channel of deploy/channels.tsv still lacks outside its own folder, so that registering a channel is its
/// line there (`make channels`): the solution, its Kubernetes base folder and the lines that name it (the base's resources,
/// the webhook routes and Ingress, KEDA and the HPA, each overlay's image and public URL), its broker user (the definitions,
/// then the Kubernetes topology, and compose's user with its dev password), its compose service, its image's restore layer,
/// and its rows in deploy/README.md. Each edit is made only where the channel is missing, after the entries of the
/// channels already there, in their form: what exists is never rewritten. What only the integrator knows stays theirs: the
/// adapter's settings and secrets (its README, dev.env), and its provider's API in the sandbox.
/// </summary>
internal static partial class ChannelScaffold
{
    /// <param name="root">the repository (a copy of it, for a test)</param>
    public static IReadOnlyList<string> Write(Channel channel, string root)
    {
        var written = new List<string>();
        void Edit(string path, Func<string, string> change)
        {
            var full = Path.Combine(root, path);
            var before = File.ReadAllText(full);
            var after = change(before);
            if (after != before)
            {
                File.WriteAllText(full, after);
                written.Add(path);
            }
        }
        var (c, service) = (channel.Name, channel.Service);

        if (!File.ReadAllText(Path.Combine(root, "Routing.sln")).Contains(channel.Project.Replace('/', '\\'), StringComparison.Ordinal))
        {
            Tool.RunOrThrow("dotnet", ["sln", "Routing.sln", "add", channel.Project, "--solution-folder", "services/Adapters"], root);
            written.Add("Routing.sln");
        }
        var folder = Path.Combine(root, "deploy", "k8s", "base", "adapters", c);
        Directory.CreateDirectory(folder);
        foreach (var (file, content) in BaseFiles(channel))
        {
            if (!File.Exists(Path.Combine(folder, file)))
            {
                File.WriteAllText(Path.Combine(folder, file), content);
                written.Add($"deploy/k8s/base/adapters/{c}/{file}");
            }
        }
        Edit("deploy/k8s/base/kustomization.yaml", s => s.Contains($"  - adapters/{c}\n", StringComparison.Ordinal) ? s
            : AfterLast(s, AdapterResource(), $"  - adapters/{c}\n"));
        Edit("deploy/k8s/base/routes.yaml", s => s.Contains($"value: /webhooks/{c}}}", StringComparison.Ordinal) ? s
            : AfterLast(s, Route(), $"    - matches: [{{path: {{type: PathPrefix, value: /webhooks/{c}}}}}]\n      backendRefs: [{{name: {service}, port: 80}}]\n"));
        Edit("deploy/k8s/components/ingress-nginx/ingresses.yaml", s => s.Contains($"- path: /webhooks/{c}\n", StringComparison.Ordinal) ? s
            : AfterLast(s, IngressPath(), $"          - path: /webhooks/{c}\n            pathType: Prefix\n            backend:\n              service: {{name: {service}, port: {{name: http}}}}\n"));
        Edit("deploy/k8s/components/keda/scaled-objects.yaml", s => s.Contains($"name: {service}\n", StringComparison.Ordinal) ? s
            : s.TrimEnd('\n') + "\n---\n" + ScaledObject(channel));
        Edit("deploy/k8s/components/hpa/hpas.yaml", s => s.Contains($"name: {service}\n", StringComparison.Ordinal) ? s
            : s.TrimEnd('\n') + "\n---\n" + Autoscaler(channel));
        foreach (var overlay in new[] { "dev", "prod" })
        {
            Edit($"deploy/k8s/overlays/{overlay}/kustomization.yaml", s =>
            {
                // a copy of the last adapter's image and public URL lines, named for this one
                if (!s.Contains($"omnichannel-routing/{service},", StringComparison.Ordinal))
                {
                    var image = OverlayImage().Matches(s).Last();
                    s = s.Insert(image.Index + image.Length, image.Value.Replace(image.Groups[1].Value, service, StringComparison.Ordinal));
                }
                if (!s.Contains($"{{name: {service}, behavior: merge", StringComparison.Ordinal))
                {
                    var url = OverlayUrl().Matches(s).Last();
                    s = s.Insert(url.Index + url.Length, url.Value.Replace(url.Groups[1].Value, service, StringComparison.Ordinal));
                }
                return s;
            });
        }
        Edit("deploy/rabbitmq/definitions.json", s => s.Contains($"\"user\": \"{service}\"", StringComparison.Ordinal) ? s
            : s.Replace("    {\n      \"user\": \"keda\",", Permission(channel) + "    {\n      \"user\": \"keda\",", StringComparison.Ordinal));
        Edit("deploy/local/compose-rabbitmq-users.json", s => s.Contains($"\"name\": \"{service}\"", StringComparison.Ordinal) ? s
            : s.Replace("    {\n      \"name\": \"agent-gateway\",", ComposeUser(service) + "    {\n      \"name\": \"agent-gateway\",", StringComparison.Ordinal));
        Edit("deploy/compose.yaml", s => s.Contains($"\n  {service}:\n", StringComparison.Ordinal) ? s : s.Replace("\nvolumes:\n", "\n" + ComposeService(channel) + "\nvolumes:\n", StringComparison.Ordinal));
        Edit("deploy/images/Dockerfile", s => s.Contains($"COPY {channel.Folder}/*.csproj", StringComparison.Ordinal) ? s
            : AfterLast(s, DockerAdapter(), $"COPY {channel.Folder}/*.csproj {channel.Folder}/\n"));
        Edit("deploy/README.md", s =>
        {
            if (!s.Contains($"| {service} | `{channel.Project}` |", StringComparison.Ordinal))
            {
                s = AfterLast(s, ImageRow(), $"   | {service} | `{channel.Project}` | `{channel.Assembly}` |\n");
            }
            if (!s.Contains($"`{service}-credentials`", StringComparison.Ordinal))
            {
                s = AfterLast(s, CredentialsRow(), $"   | `{service}-credentials` | the adapter's secrets ({channel.Folder}/README.md, Configuration) |\n");
            }
            return s;
        });
        if (written.Contains("deploy/rabbitmq/definitions.json"))
        {
            File.WriteAllText(Path.Combine(root, BrokerTopology.Manifest), BrokerTopology.Render(BrokerTopology.Definitions(root)));
            written.Add("deploy/k8s/base/rabbitmq-topology.yaml");
        }
        return written;
    }

    /// <summary><paramref name="text"/> with <paramref name="line"/> after the last match of <paramref name="pattern"/> (whole lines).</summary>
    private static string AfterLast(string text, Regex pattern, string line)
    {
        var last = pattern.Matches(text).LastOrDefault() ?? throw new InvalidOperationException($"no line like {pattern} to add after");
        return text.Insert(last.Index + last.Length, line);
    }

    private static IEnumerable<(string File, string Content)> BaseFiles(Channel channel)
    {
        var service = channel.Service;
        yield return ("kustomization.yaml", $$"""
            # The {{channel.Name}} adapter ({{channel.Folder}}).
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            resources:
              - deployment.yaml
              - service.yaml
              - pdb.yaml
            labels:
              - pairs:
                  app.kubernetes.io/name: {{service}}
                  app.kubernetes.io/instance: {{service}}
                includeSelectors: true
              - pairs:
                  app.kubernetes.io/component: adapter
                includeTemplates: true
            configMapGenerator:
              - name: {{service}}
                envs: [{{service}}.env]

            """);
        yield return ("deployment.yaml", $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {{service}}
            spec:
              replicas: 2
              selector:
                matchLabels: {}
              template:
                spec:
                  containers:
                    - name: app
                      image: omnichannel-routing/{{service}}
                      envFrom:
                        - configMapRef:
                            name: platform
                        - configMapRef:
                            name: {{service}}
                        - secretRef:
                            name: {{service}}-credentials
                        # its broker user (infrastructure/rabbitmq-topology.yaml): username and password
                        - prefix: RabbitMq__
                          secretRef:
                            name: {{service}}-user-credentials
                      resources:
                        requests: {cpu: 100m, memory: 160Mi}
                        limits: {cpu: 500m, memory: 384Mi}

            """);
        yield return ("service.yaml", $$"""
            # The provider's webhooks, through the Ingress.
            apiVersion: v1
            kind: Service
            metadata:
              name: {{service}}
            spec:
              selector: {}
              ports:
                - name: http
                  port: 80
                  targetPort: http

            """);
        yield return ("pdb.yaml", $$"""
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata:
              name: {{service}}
            spec:
              minAvailable: 1
              selector:
                matchLabels: {}

            """);
        yield return ($"{service}.env", $$"""
            # The {{channel.Name}} adapter's settings that are not secret ({{channel.Folder}}/README.md). Its secrets are in the
            # Secret {{service}}-credentials.
            # The public address providers call: each overlay sets it to the Ingress.
            Webhooks__PublicBaseUrl=https://hooks.example.com

            """);
    }

    private static string ScaledObject(Channel channel) => $$"""
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata:
          name: {{channel.Service}}
        spec:
          scaleTargetRef:
            name: {{channel.Service}}
          minReplicaCount: 2
          maxReplicaCount: 6
          pollingInterval: 15
          cooldownPeriod: 300
          advanced:
            horizontalPodAutoscalerConfig:
              behavior:
                scaleDown:
                  stabilizationWindowSeconds: 300
                  policies:
                    - {type: Pods, value: 1, periodSeconds: 60}
          triggers:
            - type: rabbitmq
              metadata:
                protocol: amqp
                host: amqp://rabbitmq.omnichannel-routing-infra.svc:5672/
                mode: QueueLength
                queueName: {{channel.SendQueue}}
                value: "50"
              authenticationRef:
                name: rabbitmq
            - type: cpu
              metricType: Utilization
              metadata:
                value: "70"

        """;

    private static string Autoscaler(Channel channel) => $$"""
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: {{channel.Service}}
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: {{channel.Service}}
          minReplicas: 2
          maxReplicas: 6
          metrics:
            - type: Resource
              resource:
                name: cpu
                target: {type: Utilization, averageUtilization: 70}
          behavior:
            scaleDown:
              stabilizationWindowSeconds: 300
              policies:
                - {type: Pods, value: 1, periodSeconds: 60}

        """;

    /// <summary>An adapter's least permissions: its send queue (and its error and skipped queues), its bus probe, publishing the channel's events.</summary>
    private static string Permission(Channel channel)
    {
        var probe = $"probe-{channel.Assembly.ToLowerInvariant().Replace('.', '-')}-[0-9a-f]{{32}}";
        var own = $"^({channel.SendQueue})(_error|_skipped)?$|^{probe}$";
        const string faults = "^MassTransit:(Fault(--Routing\\\\.Contracts:[A-Za-z]+--)?|ReceiveFault)$";
        return $$"""
                {
                  "user": "{{channel.Service}}",
                  "vhost": "/",
                  "configure": "{{own}}|^Routing\\.Contracts:(CustomerAddressLinked|CustomerProfileObserved|DeliveryStatusChanged|InboundMessageReceived|OutboundMessageFailed|OutboundMessageSent)$|{{faults}}",
                  "write": "{{own}}|^Routing\\.Contracts:(InboundMessageReceived|CustomerProfileObserved|CustomerAddressLinked|DeliveryStatusChanged|OutboundMessageSent|OutboundMessageFailed)$|{{faults}}",
                  "read": "{{own}}|^MassTransit:(Fault--Routing\\.Contracts:[A-Za-z]+--|ReceiveFault)$"
                },

            """;
    }

    /// <summary>The compose broker's user: RabbitMQ's salted SHA-256 of the dev-only password every local user has (dev-rabbitmq-{user}).</summary>
    private static string ComposeUser(string service)
    {
        var salt = RandomNumberGenerator.GetBytes(4);
        var hash = Convert.ToBase64String([.. salt, .. SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes($"dev-rabbitmq-{service}")])]);
        return $$"""
                {
                  "name": "{{service}}",
                  "password_hash": "{{hash}}",
                  "hashing_algorithm": "rabbit_password_hashing_sha256",
                  "tags": []
                },

            """;
    }

    private static string ComposeService(Channel channel)
    {
        var api = channel.ProviderApi is { } setting ? $"      {setting.Name}: http://sandbox:8080{setting.Path}\n" : "";
        return $$"""
              {{channel.Service}}:
                <<: *service
                build:
                  <<: *build
                  args: {PROJECT: {{channel.Project}}, ASSEMBLY: {{channel.Assembly}}}
                environment:
                  <<: *environment
                  RabbitMq__Username: {{channel.Service}}
                  RabbitMq__Password: dev-rabbitmq-{{channel.Service}}
                  Webhooks__PublicBaseUrl: http://127.0.0.1:{{channel.Port}}

            """.TrimEnd('\n') + "\n" + api + $"    ports: [\"127.0.0.1:{channel.Port}:8080\"]\n";
    }

    [GeneratedRegex(@"^  - adapters/[a-z0-9-]+\n", RegexOptions.Multiline)]
    private static partial Regex AdapterResource();

    [GeneratedRegex(@"^    - matches: \[\{path: \{type: PathPrefix, value: /webhooks/[a-z0-9-]+\}\}\]\n      backendRefs: .*\n", RegexOptions.Multiline)]
    private static partial Regex Route();

    [GeneratedRegex(@"^          - path: /webhooks/[a-z0-9-]+\n            pathType: Prefix\n            backend:\n              service: .*\n", RegexOptions.Multiline)]
    private static partial Regex IngressPath();

    [GeneratedRegex(@"^  - \{name: omnichannel-routing/(adapter-[a-z0-9-]+), .*\n", RegexOptions.Multiline)]
    private static partial Regex OverlayImage();

    [GeneratedRegex(@"^  - \{name: (adapter-[a-z0-9-]+), behavior: merge, literals: \[Webhooks__PublicBaseUrl=.*\n", RegexOptions.Multiline)]
    private static partial Regex OverlayUrl();

    [GeneratedRegex(@"^COPY services/Adapters/[A-Za-z0-9]+/\*\.csproj .*\n", RegexOptions.Multiline)]
    private static partial Regex DockerAdapter();

    [GeneratedRegex(@"^   \| adapter-[a-z0-9-]+ \| `services/Adapters/.*\n", RegexOptions.Multiline)]
    private static partial Regex ImageRow();

    [GeneratedRegex(@"^   \| `adapter-[a-z0-9-]+-credentials` \| .*\n", RegexOptions.Multiline)]
    private static partial Regex CredentialsRow();
}
