package com.packcheck.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.packcheck.support.Client;
import com.packcheck.support.Settings;
import com.packcheck.support.Stack;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** ops/: the image, the compose stack and the Kubernetes manifests, held to what PackCheck really reads and serves. */
@DisplayName("The deployment files in ops/")
class DeploymentFilesTest {
  private static final Path OPS = Path.of("ops");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();
  private static final Set<String> READ = Settings.readByTheCode();
  static Stack stack;
  static Client api;

  @BeforeAll
  static void start() {
    stack = new Stack();
    api = stack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  @DisplayName("the image builds the jar the pom names, runs it as a non-root user on the default port, checks /health, and uses no embedded store")
  void image() throws IOException {
    String dockerfile = Files.readString(OPS.resolve("Dockerfile"));
    List<String> stages = Pattern.compile("(?m)^FROM .*$").matcher(dockerfile).results().map(r -> r.group()).toList();
    assertThat(stages).as("a build stage, then a runtime").hasSize(2);
    assertThat(stages.get(0)).contains("maven").endsWith("AS build");
    assertThat(stages.get(1)).contains("jre");
    String runtime = dockerfile.substring(dockerfile.indexOf(stages.get(1)));
    String pom = Files.readString(Path.of("pom.xml"));
    String jar = "target/" + match(pom, "<finalName>(.+)</finalName>") + ".jar";
    assertThat(runtime).contains("COPY --from=build /src/" + jar + " /app/packcheck.jar");
    assertThat(match(runtime, "(?m)^ENTRYPOINT (.+)$")).contains("\"-jar\", \"/app/packcheck.jar\"", "MaxRAMPercentage");
    String user = match(runtime, "(?m)^USER (\\S+)$");
    assertThat(user).isNotIn("root", "0");
    assertThat(runtime).contains("useradd --system --uid " + user);
    int port = Integer.parseInt(match(runtime, "(?m)^EXPOSE (\\d+)$"));
    assertThat(port).isEqualTo(com.packcheck.config.Config.from(Map.of()).httpPort());
    assertThat(runtime).contains("PACKCHECK_EMBEDDED=false", "PACKCHECK_HTTP_PORT=" + port);
    String health = match(runtime, "(?s)HEALTHCHECK .*?CMD (.+?)\n");
    assertThat(health).contains("http://127.0.0.1:" + port + "/health");
    assertThat(api.get("/health", null).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("compose runs two instances behind the balancer and Prometheus, on one PostgreSQL and Redis, with secrets as secrets")
  void compose() throws IOException {
    JsonNode compose = YAML.valueToTree(new Yaml().load(Files.readString(OPS.resolve("compose.yaml"))));
    JsonNode services = compose.get("services");
    assertThat(names(services)).contains("postgres", "redis", "smsc", "packcheck-1", "packcheck-2", "lb", "prometheus",
        "grafana");
    for (String instance : List.of("packcheck-1", "packcheck-2")) {
      JsonNode env = services.get(instance).get("environment");
      assertThat(names(env)).allSatisfy(name -> assertThat(Settings.isRead(name, READ)).as(name).isTrue());
      assertThat(env.get("PACKCHECK_CODE_SECRET_FILE").asText()).startsWith("/run/secrets/");
      assertThat(names(env)).doesNotContain("PACKCHECK_CODE_SECRET", "PACKCHECK_ADMIN_TOKEN", "PACKCHECK_PG_URL");
      for (JsonNode secret : services.get(instance).get("secrets")) {
        assertThat(compose.get("secrets").has(secret.asText())).as(secret.asText()).isTrue();
      }
    }
    assertThat(services.get("smsc").get("entrypoint").toString()).contains("\"smsc\"");
    String haproxy = Files.readString(OPS.resolve("haproxy/haproxy.cfg"));
    assertThat(haproxy).contains("server packcheck-1 packcheck-1:8080 check", "server packcheck-2 packcheck-2:8080 check",
        "option httpchk GET /ready");
    JsonNode prometheus = YAML.readTree(OPS.resolve("prometheus/prometheus.yml").toFile());
    assertThat(prometheus.at("/scrape_configs/0/static_configs/0/targets").toString())
        .contains("packcheck-1:8080", "packcheck-2:8080");
    assertThat(api.get("/ready", null).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("every Kubernetes object parses as its kind, and the kustomizations list exactly the files beside them")
  void kubernetesObjectsParse() throws IOException {
    for (Path dir : List.of(OPS.resolve("k8s/base"), OPS.resolve("k8s/overlays/sms"))) {
      JsonNode kustomization = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
      List<String> listed = new ArrayList<>();
      kustomization.path("resources").forEach(r -> listed.add(r.asText()));
      kustomization.path("patches").forEach(p -> listed.add(p.get("path").asText()));
      try (Stream<Path> files = Files.list(dir)) {
        List<String> present = files.map(f -> f.getFileName().toString())
            .filter(f -> f.endsWith(".yaml") && !f.equals("kustomization.yaml")).toList();
        assertThat(listed.stream().filter(f -> f.endsWith(".yaml"))).containsExactlyInAnyOrderElementsOf(present);
      }
      for (String file : listed.stream().filter(f -> f.endsWith(".yaml")).toList()) {
        HasMetadata object = KUBERNETES.unmarshal(Files.readString(dir.resolve(file)));
        assertThat(object.getClass().getPackageName()).as(file).startsWith("io.fabric8.kubernetes.api.model");
        assertThat(object.getClass().getSimpleName()).as(file + " is a known kind").isNotEqualTo("GenericKubernetesResource");
        assertThat(object.getMetadata().getName()).as(file).isNotBlank();
      }
    }
  }

  @Test
  @DisplayName("the Deployment's probes point at endpoints PackCheck serves, and its settings and secret keys are ones PackCheck reads")
  void deployment() throws IOException {
    Deployment deployment = object("k8s/base/deployment.yaml", Deployment.class);
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getContainerPort()).isEqualTo(8080);
    });
    Map<String, HTTPGetAction> probes = Map.of("startup", container.getStartupProbe().getHttpGet(),
        "readiness", container.getReadinessProbe().getHttpGet(), "liveness", container.getLivenessProbe().getHttpGet());
    assertThat(probes.get("readiness").getPath()).isEqualTo("/ready");
    assertThat(probes.get("liveness").getPath()).as("a PostgreSQL outage must not restart pods").isEqualTo("/health");
    probes.forEach((kind, probe) -> {
      assertThat(probe.getPort().getStrVal()).isEqualTo("http");
      assertThat(api.get(probe.getPath(), null).status()).as(kind + " probe " + probe.getPath()).isEqualTo(200);
    });
    assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
    assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();

    Secret secret = object("k8s/secret.example.yaml", Secret.class);
    List<EnvVar> env = new ArrayList<>(container.getEnv());
    env.addAll(object("k8s/overlays/sms/smsc-password.yaml", Deployment.class)
        .getSpec().getTemplate().getSpec().getContainers().get(0).getEnv());
    for (EnvVar var : env) {
      assertThat(Settings.isRead(var.getName(), READ)).as(var.getName()).isTrue();
      var ref = var.getValueFrom().getSecretKeyRef();
      if (ref.getName().equals(secret.getMetadata().getName())) {
        assertThat(secret.getStringData()).as(var.getName()).containsKey(ref.getKey());
      }
    }
    assertThat(env).extracting(EnvVar::getName).contains("PACKCHECK_CODE_SECRET", "PACKCHECK_ADMIN_TOKEN", "PACKCHECK_PG_URL");
    for (String file : List.of("k8s/base/configmap.yaml", "k8s/overlays/sms/smsc-config.yaml")) {
      assertThat(object(file, ConfigMap.class).getData().keySet())
          .allSatisfy(name -> assertThat(READ).as(file).contains(name));
    }
  }

  @Test
  @DisplayName("the Service, the disruption budget and the autoscaler all point at the Deployment and its port")
  void serviceBudgetAndAutoscaler() throws IOException {
    Deployment deployment = object("k8s/base/deployment.yaml", Deployment.class);
    Service service = object("k8s/base/service.yaml", Service.class);
    assertThat(service.getSpec().getPorts()).singleElement()
        .satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
    PodDisruptionBudget budget = object("k8s/base/pdb.yaml", PodDisruptionBudget.class);
    assertThat(budget.getSpec().getMinAvailable().getIntVal()).isLessThan(deployment.getSpec().getReplicas());
    HorizontalPodAutoscaler hpa = object("k8s/base/hpa.yaml", HorizontalPodAutoscaler.class);
    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
    assertThat(hpa.getSpec().getMinReplicas()).isGreaterThan(budget.getSpec().getMinAvailable().getIntVal());
  }

  private static <T> T object(String file, Class<T> kind) throws IOException {
    return KUBERNETES.unmarshal(Files.readString(OPS.resolve(file)), kind);
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String match(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as(regex).isTrue();
    return m.group(1);
  }
}
