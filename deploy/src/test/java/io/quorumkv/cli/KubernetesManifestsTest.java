package io.quorumkv.cli;

import static io.quorumkv.cli.Yamls.DEPLOY;
import static io.quorumkv.cli.Yamls.at;
import static io.quorumkv.cli.Yamls.list;
import static io.quorumkv.cli.Yamls.listAt;
import static io.quorumkv.cli.Yamls.map;
import static io.quorumkv.cli.Yamls.mapAt;
import static io.quorumkv.cli.Yamls.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.proto.PeerAddress;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every manifest under deploy/k8s parsed and cross-checked, since no cluster runs here:
 * selectors match pod labels, probes and Services point at declared container ports, the node
 * peer list names exactly the StatefulSet's pods by their headless-Service DNS names, the
 * gateways use the same list, and the Secret key the gateway reads exists.
 */
class KubernetesManifestsTest {
  record Doc(Path file, Map<String, Object> body) {
    String kind() {
      return str(body.get("kind"));
    }

    String name() {
      return str(at(body, "metadata", "name"));
    }

    @Override
    public String toString() {
      return kind() + "/" + name() + " in " + file.getFileName();
    }
  }

  static List<Doc> load() throws IOException {
    List<Doc> docs = new ArrayList<>();
    try (Stream<Path> files = Files.list(DEPLOY.resolve("k8s"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
        try (Reader r = Files.newBufferedReader(f)) {
          for (Object o : Yamls.yaml().loadAll(r)) {
            if (o != null) {
              docs.add(new Doc(f, map(o, f.getFileName().toString())));
            }
          }
        }
      }
    }
    return docs;
  }

  private final List<Doc> docs;
  private final String namespace;

  KubernetesManifestsTest() throws IOException {
    docs = load();
    namespace = one("Namespace").name();
  }

  Doc one(String kind) {
    List<Doc> found = docs.stream().filter(d -> d.kind().equals(kind)).toList();
    assertEquals(1, found.size(), "exactly one " + kind + ": " + found);
    return found.getFirst();
  }

  List<Doc> all(String kind) {
    return docs.stream().filter(d -> d.kind().equals(kind)).toList();
  }

  static Map<String, Object> podSpec(Doc workload) {
    return mapAt(workload.body(), "spec", "template", "spec");
  }

  static Map<String, Object> podLabels(Doc workload) {
    return mapAt(workload.body(), "spec", "template", "metadata", "labels");
  }

  static List<Map<String, Object>> containers(Doc workload) {
    return listAt(podSpec(workload), "containers").stream().map(c -> map(c, "container")).toList();
  }

  /** Container port names and numbers of a workload. */
  static Set<String> containerPorts(Doc workload) {
    Set<String> out = new HashSet<>();
    for (Map<String, Object> c : containers(workload)) {
      for (Object p : list(c.getOrDefault("ports", List.of()), "ports")) {
        Map<String, Object> pm = map(p, "port");
        out.add(str(pm.get("containerPort")));
        if (pm.get("name") != null) {
          out.add(str(pm.get("name")));
        }
      }
    }
    return out;
  }

  static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
    return !selector.isEmpty() && selector.entrySet().stream().allMatch(e -> str(e.getValue()).equals(str(labels.get(e.getKey()))));
  }

  static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> out = new HashMap<>();
    for (Object e : list(container.getOrDefault("env", List.of()), "env")) {
      Map<String, Object> m = map(e, "env entry");
      out.put(str(m.get("name")), m.containsKey("value") ? str(m.get("value"))
          : "valueFrom:" + str(at(m, "valueFrom", "fieldRef", "fieldPath")));
    }
    return out;
  }

  @Test
  void everyDocumentIsWellFormedAndInTheNamespace() {
    assertFalse(docs.isEmpty());
    for (Doc d : docs) {
      assertTrue(d.body().containsKey("apiVersion"), d + " has apiVersion");
      assertTrue(d.name().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") && d.name().length() <= 63, d + ": DNS-1123 name");
      if (!d.kind().equals("Namespace")) {
        assertEquals(namespace, str(at(d.body(), "metadata", "namespace")), d + " is in namespace " + namespace);
      }
    }
    for (String kind : List.of("Namespace", "Secret", "StatefulSet", "Deployment", "PodDisruptionBudget")) {
      one(kind);
    }
    assertEquals(2, all("Service").size(), "the nodes' headless Service and the gateways' Service");
  }

  @Test
  void servicesSelectTheirPodsAndTargetDeclaredPorts() {
    List<Doc> workloads = new ArrayList<>(all("StatefulSet"));
    workloads.addAll(all("Deployment"));
    for (Doc w : workloads) {
      assertTrue(selects(mapAt(w.body(), "spec", "selector", "matchLabels"), podLabels(w)), w + ": selector matches its pod labels");
      for (Map<String, Object> c : containers(w)) {
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
          Object port = at(c, probe, "httpGet", "port");
          assertTrue(containerPorts(w).contains(str(port)), w + " " + probe + " port " + port + " is a container port");
        }
        assertTrue(str(at(c, "readinessProbe", "httpGet", "path")).equals("/health/ready"), w + " readiness");
        assertTrue(str(at(c, "livenessProbe", "httpGet", "path")).equals("/health/live"), w + " liveness");
      }
    }
    for (Doc s : all("Service")) {
      Map<String, Object> selector = mapAt(s.body(), "spec", "selector");
      List<Doc> matched = workloads.stream().filter(w -> selects(selector, podLabels(w))).toList();
      assertEquals(1, matched.size(), s + " selects the pods of exactly one workload: " + matched);
      for (Object p : listAt(s.body(), "spec", "ports")) {
        Object target = at(p, "targetPort");
        assertTrue(containerPorts(matched.getFirst()).contains(str(target)), s + " targetPort " + target + " exists");
      }
    }
    Doc pdb = one("PodDisruptionBudget");
    Doc sts = one("StatefulSet");
    assertTrue(selects(mapAt(pdb.body(), "spec", "selector", "matchLabels"), podLabels(sts)), "the PDB covers the nodes");
    assertEquals(1, at(pdb.body(), "spec", "maxUnavailable"), "a majority of 3 stays up");
  }

  @Test
  void nodePeersAreExactlyTheStatefulSetPodsByTheirHeadlessDnsNames() {
    Doc sts = one("StatefulSet");
    String serviceName = str(at(sts.body(), "spec", "serviceName"));
    Doc headless = all("Service").stream().filter(s -> s.name().equals(serviceName)).findFirst()
        .orElseThrow(() -> new AssertionError("no Service named " + serviceName + " (StatefulSet.serviceName)"));
    assertEquals("None", str(at(headless.body(), "spec", "clusterIP")), "headless");
    assertEquals(true, at(headless.body(), "spec", "publishNotReadyAddresses"),
        "peers must resolve before they are ready, or no leader is ever elected");
    assertEquals("Parallel", str(at(sts.body(), "spec", "podManagementPolicy")),
        "OrderedReady would wait for pod 0 to be ready, which needs a second pod");
    int replicas = (Integer) at(sts.body(), "spec", "replicas");
    assertTrue(replicas % 2 == 1, "an odd number of nodes");

    Map<String, Object> node = containers(sts).getFirst();
    Map<String, String> env = env(node);
    assertEquals("valueFrom:metadata.name", env.get("QUORUMKV_ID"), "node id = pod name");
    UUID.fromString(env.get("QUORUMKV_CLUSTER_ID"));
    List<PeerAddress> peers = PeerAddress.parseList(env.get("QUORUMKV_PEERS"));
    assertEquals(replicas, peers.size(), "one peer per replica");
    Map<String, Integer> ports = new HashMap<>();
    for (Object p : listAt(node, "ports")) {
      ports.put(str(at(p, "name")), (Integer) at(p, "containerPort"));
    }
    for (int i = 0; i < replicas; i++) {
      PeerAddress p = peers.get(i);
      String pod = sts.name() + "-" + i;
      assertEquals(pod, p.id(), "peer " + i + " is named after its pod");
      assertEquals(pod + "." + serviceName + "." + namespace + ".svc", p.host(), "peer " + i + " uses the pod's stable DNS name");
      assertEquals(ports.get("raft"), p.raftPort());
      assertEquals(ports.get("rpc"), p.rpcPort());
    }
    assertEquals(str(ports.get("metrics")), env.get("QUORUMKV_METRICS_PORT"));

    // Data: the claim template is mounted at the data directory.
    String claim = str(at(listAt(sts.body(), "spec", "volumeClaimTemplates").getFirst(), "metadata", "name"));
    boolean mounted = listAt(node, "volumeMounts").stream()
        .anyMatch(m -> str(at(m, "name")).equals(claim) && str(at(m, "mountPath")).equals(env.get("QUORUMKV_DATA_DIR")));
    assertTrue(mounted, "volume claim " + claim + " is mounted at QUORUMKV_DATA_DIR");
    assertEquals(10001, at(podSpec(sts), "securityContext", "fsGroup"), "the image's user (uid 10001) can write the volume");
  }

  @Test
  void gatewaysUseTheNodePeersAndTheTokenSecret() {
    Doc sts = one("StatefulSet");
    Doc gw = one("Deployment");
    List<String> args = listAt(containers(gw).getFirst(), "args").stream().map(Yamls::str).toList();
    assertEquals("gateway", args.getFirst());
    assertEquals(env(containers(sts).getFirst()).get("QUORUMKV_PEERS"), args.get(args.indexOf("--peers") + 1),
        "gateway --peers equals the StatefulSet's QUORUMKV_PEERS");
    assertEquals(str(at(containers(sts).getFirst(), "image")), str(at(containers(gw).getFirst(), "image")), "one image");

    // --access-token-file lies in a volume mounted from the Secret, whose key exists.
    String tokenFile = args.get(args.indexOf("--access-token-file") + 1);
    Doc secret = one("Secret");
    boolean found = false;
    for (Object m : listAt(containers(gw).getFirst(), "volumeMounts")) {
      String mountPath = str(at(m, "mountPath"));
      if (!tokenFile.startsWith(mountPath + "/")) {
        continue;
      }
      String volumeName = str(at(m, "name"));
      Object volume = listAt(podSpec(gw), "volumes").stream().filter(v -> str(at(v, "name")).equals(volumeName)).findFirst()
          .orElseThrow(() -> new AssertionError("no volume " + volumeName));
      assertEquals(secret.name(), str(at(volume, "secret", "secretName")));
      for (Object item : listAt(volume, "secret", "items")) {
        if ((mountPath + "/" + str(at(item, "path"))).equals(tokenFile)) {
          String key = str(at(item, "key"));
          Map<String, Object> data = secret.body().containsKey("stringData") ? mapAt(secret.body(), "stringData") : mapAt(secret.body(), "data");
          assertTrue(data.containsKey(key), "Secret " + secret.name() + " has key " + key);
          assertTrue(str(data.get(key)).length() >= 12, "a token has at least 12 characters");
          found = true;
        }
      }
    }
    assertTrue(found, tokenFile + " is a file of the token Secret");
    assertFalse(args.stream().anyMatch(a -> a.equals(str(mapAt(secret.body(), "stringData").get("access-token")))), "the token is not an argument");
  }
}
