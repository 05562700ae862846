/// The Kubernetes resources of every service, generated from the service registry into
/// `k8s/base/services.yaml` (`bazaar generate k8s-services`), and the Secret templates operators
/// fill (`k8s/base/secrets.template.yaml`, `bazaar generate k8s-secret-template`). A test compares
/// both with what is committed.
///
/// Per service: a Deployment (one image, the executable as command; probes on `/health/*`;
/// requests and limits; non-root, read-only root filesystem, no privilege escalation, no
/// capabilities), a Service on the registry's port, a HorizontalPodAutoscaler, a
/// PodDisruptionBudget and a NetworkPolicy (ingress only from the gateway, Prometheus and, for the
/// identity service's keys, the other services; egress only to DNS, Kafka, the service's own store
/// and the identity service, and SMTP for the notification service).
public enum KubernetesManifests {
    /// The settings a service reads from its Secret `bazaar-<name>` (every value a credential or
    /// an address holding one).
    public static func secretKeys(of service: ServiceDefinition) -> [String] {
        var keys: [String] = []
        if service.databaseName != nil { keys.append("DATABASE_URL") }
        if service.documentDatabaseName != nil { keys.append("MONGODB_URL") }
        keys.append("REDIS_URL")
        switch service.name {
        case ServiceRegistry.identityServiceName: keys += ["JWT_SIGNING_KEY", "EVENT_SEALING_KEY", "ADMIN_EMAIL", "ADMIN_PASSWORD"]
        case "notification": keys += ["EVENT_SEALING_KEY", "SMTP_USER", "SMTP_PASSWORD"]
        case "payment": keys.append("PAYMENT_WEBHOOK_SECRET")
        default: break
        }
        return keys
    }

    /// Ports a service's egress may reach besides DNS, Kafka and the identity service.
    static func storePorts(of service: ServiceDefinition) -> [(port: Int, what: String)] {
        var ports: [(Int, String)] = [(6379, "Redis")]
        if service.databaseName != nil { ports.append((5432, "Postgres")) }
        if service.documentDatabaseName != nil { ports.append((27017, "MongoDB")) }
        if service.name == "notification" { ports += [(25, "SMTP"), (465, "SMTP"), (587, "SMTP"), (1025, "SMTP (Mailpit)")] }
        return ports
    }

    /// `k8s/base/services.yaml`.
    public static func services(_ services: [ServiceDefinition] = ServiceRegistry.all) -> String {
        var lines = [
            "# Generated from the service registry (Shared/ServiceDirectory) by `bazaar generate k8s-services`; do not edit.",
            "# Per service: Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy.",
        ]
        let identity = services.first { $0.name == ServiceRegistry.identityServiceName }
        for service in services {
            lines += deployment(service) + kubernetesService(service) + autoscaler(service) + disruptionBudget(service)
                + networkPolicy(service, identity: identity)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `k8s/base/secrets.template.yaml`: one Secret per service with every key and no value.
    public static func secretTemplate(_ services: [ServiceDefinition] = ServiceRegistry.all) -> String {
        var lines = [
            "# Generated from the service registry by `bazaar generate k8s-secret-template`; do not edit.",
            "# Not part of any kustomization: copy it, fill every value (never commit the copy) and",
            "# `kubectl apply -f` it, or create the same Secrets from your secret store. The dev overlay",
            "# generates them (k8s/overlays/dev/generate-secrets.sh).",
        ]
        for service in services {
            lines += ["---", "apiVersion: v1", "kind: Secret", "metadata:", "  name: bazaar-\(service.name)", "  namespace: bazaar"]
            lines += labels(service, indent: 2) + ["type: Opaque", "stringData:"]
            lines += secretKeys(of: service).map { "  \($0): \"\"" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The start of a resource named after `service`, with its labels.
    private static func header(_ apiVersion: String, _ kind: String, _ service: ServiceDefinition) -> [String] {
        ["---", "apiVersion: \(apiVersion)", "kind: \(kind)", "metadata:", "  name: \(service.name)"] + labels(service, indent: 2)
    }

    private static func labels(_ service: ServiceDefinition, indent: Int) -> [String] {
        let padding = String(repeating: " ", count: indent)
        return ["labels:", "  app.kubernetes.io/name: \(service.name)", "  app.kubernetes.io/part-of: bazaar",
                "  app.kubernetes.io/component: service"].map { padding + $0 }
    }

    private static func deployment(_ service: ServiceDefinition) -> [String] {
        header("apps/v1", "Deployment", service)
            + [
                "spec:",
                "  revisionHistoryLimit: 3",
                "  selector:",
                "    matchLabels:",
                "      app.kubernetes.io/name: \(service.name)",
                "  strategy:",
                "    type: RollingUpdate",
                "    rollingUpdate:",
                "      maxSurge: 1",
                "      maxUnavailable: 0",
                "  template:",
                "    metadata:",
            ]
            + labels(service, indent: 6)
            + [
                "      annotations:",
                "        prometheus.io/scrape: \"true\"",
                "        prometheus.io/port: \"\(service.port)\"",
                "        prometheus.io/path: /metrics",
                "    spec:",
                "      automountServiceAccountToken: false",
                "      enableServiceLinks: false",
                "      terminationGracePeriodSeconds: 40",
                "      securityContext:",
                "        runAsNonRoot: true",
                "        runAsUser: 10001",
                "        runAsGroup: 10001",
                "        fsGroup: 10001",
                "        seccompProfile:",
                "          type: RuntimeDefault",
                "      containers:",
                "        - name: \(service.name)",
                "          image: bazaar:latest",
                "          imagePullPolicy: IfNotPresent",
                "          command: [\"\(service.executableName ?? "bazaar-\(service.name)")\"]",
                "          ports:",
                "            - name: http",
                "              containerPort: \(service.port)",
                "          env:",
                "            - name: PORT",
                "              value: \"\(service.port)\"",
                "          envFrom:",
                "            - configMapRef:",
                "                name: bazaar-config",
                "            - secretRef:",
                "                name: bazaar-\(service.name)",
                "          startupProbe:",
                "            httpGet:",
                "              path: /health/live",
                "              port: http",
                "            periodSeconds: 2",
                "            failureThreshold: 60",
                "          livenessProbe:",
                "            httpGet:",
                "              path: /health/live",
                "              port: http",
                "            periodSeconds: 10",
                "            timeoutSeconds: 3",
                "            failureThreshold: 3",
                "          readinessProbe:",
                "            httpGet:",
                "              path: /health/ready",
                "              port: http",
                "            periodSeconds: 5",
                "            timeoutSeconds: 3",
                "            failureThreshold: 3",
                "          resources:",
                "            requests:",
                "              cpu: 100m",
                "              memory: 128Mi",
                "            limits:",
                "              cpu: \"1\"",
                "              memory: 512Mi",
                "          securityContext:",
                "            allowPrivilegeEscalation: false",
                "            readOnlyRootFilesystem: true",
                "            capabilities:",
                "              drop: [ALL]",
                "          volumeMounts:",
                "            - name: tmp",
                "              mountPath: /tmp",
                "      volumes:",
                "        - name: tmp",
                "          emptyDir:",
                "            sizeLimit: 64Mi",
            ]
    }

    private static func kubernetesService(_ service: ServiceDefinition) -> [String] {
        header("v1", "Service", service)
            + [
                "spec:",
                "  selector:",
                "    app.kubernetes.io/name: \(service.name)",
                "  ports:",
                "    - name: http",
                "      port: \(service.port)",
                "      targetPort: http",
            ]
    }

    private static func autoscaler(_ service: ServiceDefinition) -> [String] {
        header("autoscaling/v2", "HorizontalPodAutoscaler", service)
            + [
                "spec:",
                "  scaleTargetRef:",
                "    apiVersion: apps/v1",
                "    kind: Deployment",
                "    name: \(service.name)",
                "  minReplicas: 2",
                "  maxReplicas: 6",
                "  metrics:",
                "    - type: Resource",
                "      resource:",
                "        name: cpu",
                "        target:",
                "          type: Utilization",
                "          averageUtilization: 70",
            ]
    }

    private static func disruptionBudget(_ service: ServiceDefinition) -> [String] {
        header("policy/v1", "PodDisruptionBudget", service)
            + [
                "spec:",
                "  maxUnavailable: 1",
                "  selector:",
                "    matchLabels:",
                "      app.kubernetes.io/name: \(service.name)",
            ]
    }

    private static func networkPolicy(_ service: ServiceDefinition, identity: ServiceDefinition?) -> [String] {
        var lines = header("networking.k8s.io/v1", "NetworkPolicy", service)
            + [
                "spec:",
                "  podSelector:",
                "    matchLabels:",
                "      app.kubernetes.io/name: \(service.name)",
                "  policyTypes: [Ingress, Egress]",
                "  ingress:",
                "    # The gateway, and Prometheus from the monitoring namespace.",
                "    - from:",
                "        - podSelector:",
                "            matchLabels:",
                "              app.kubernetes.io/name: gateway",
                "        - namespaceSelector:",
                "            matchLabels:",
                "              kubernetes.io/metadata.name: monitoring",
                "      ports:",
                "        - port: \(service.port)",
            ]
        if service.name == identity?.name {
            lines += [
                "    # Every service verifies tokens with this service's public keys (JWKS).",
                "    - from:",
                "        - podSelector:",
                "            matchLabels:",
                "              app.kubernetes.io/component: service",
                "      ports:",
                "        - port: \(service.port)",
            ]
        }
        lines += [
            "  egress:",
            "    - to:",
            "        - namespaceSelector: {}",
            "          podSelector:",
            "            matchLabels:",
            "              k8s-app: kube-dns",
            "      ports:",
            "        - port: 53",
            "          protocol: UDP",
            "        - port: 53",
            "          protocol: TCP",
            "    # Kafka, in the cluster or managed (by port: the prod overlay's brokers live elsewhere).",
            "    - ports:",
            "        - port: 9092",
            "    # Its own stores.",
            "    - ports:",
        ]
        lines += storePorts(of: service).map { "        - port: \($0.port)  # \($0.what)" }
        if let identity, service.name != identity.name {
            lines += [
                "    - to:",
                "        - podSelector:",
                "            matchLabels:",
                "              app.kubernetes.io/name: \(identity.name)",
                "      ports:",
                "        - port: \(identity.port)",
            ]
        }
        return lines
    }
}
