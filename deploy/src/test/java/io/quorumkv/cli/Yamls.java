package io.quorumkv.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** Paths of the deployment files and small typed accessors over parsed YAML. */
final class Yamls {
  private Yamls() {}

  /** The deploy module directory (Surefire runs tests there). */
  static final Path DEPLOY = findDeploy();
  /** The repository root: the Docker build context. */
  static final Path ROOT = DEPLOY.getParent();

  private static Path findDeploy() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p : List.of(here, here.resolve("deploy"))) {
      if (Files.isRegularFile(p.resolve("Dockerfile")) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException("run from the deploy module or the repository root, not " + here);
  }

  static Yaml yaml() {
    LoaderOptions o = new LoaderOptions();
    o.setAllowDuplicateKeys(false);
    return new Yaml(o);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o, String what) {
    if (!(o instanceof Map)) {
      throw new AssertionError(what + " is not a mapping: " + o);
    }
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o, String what) {
    if (!(o instanceof List)) {
      throw new AssertionError(what + " is not a list: " + o);
    }
    return (List<Object>) o;
  }

  /** The value at {@code path} (mapping keys), failing with the path if any step is missing. */
  static Object at(Object root, String... path) {
    Object cur = root;
    StringBuilder seen = new StringBuilder();
    for (String key : path) {
      seen.append('.').append(key);
      cur = map(cur, seen.toString()).get(key);
      if (cur == null) {
        throw new AssertionError("missing " + seen.substring(1));
      }
    }
    return cur;
  }

  static Map<String, Object> mapAt(Object root, String... path) {
    return map(at(root, path), String.join(".", path));
  }

  static List<Object> listAt(Object root, String... path) {
    return list(at(root, path), String.join(".", path));
  }

  static String str(Object o) {
    return String.valueOf(o);
  }
}
