package io.quorumkv.chaos.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.VolumesFrom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;

/**
 * {@link DockerOps} over docker-java's {@link DockerClient} (the client Testcontainers
 * configured: {@code DockerClientFactory.instance().client()}). Thread-safe as the client is.
 */
final class DockerJavaOps implements DockerOps {
  /** Upper bound on any one wait for a container to exit. */
  private static final Duration EXIT_WAIT = Duration.ofSeconds(60);

  private final DockerClient client;

  DockerJavaOps(DockerClient client) {
    this.client = client;
  }

  private InspectContainerResponse inspect(String id) {
    return client.inspectContainerCmd(id).exec();
  }

  @Override
  public boolean running(String id) {
    return Boolean.TRUE.equals(inspect(id).getState().getRunning());
  }

  @Override
  public void kill(String id) {
    client.killContainerCmd(id).withSignal("KILL").exec();
    awaitExit(id);
  }

  @Override
  public void stop(String id, Duration grace) {
    client.stopContainerCmd(id).withTimeout((int) grace.toSeconds()).exec();
    awaitExit(id);
  }

  @Override
  public void start(String id) {
    client.startContainerCmd(id).exec();
  }

  @Override
  public void pause(String id) {
    client.pauseContainerCmd(id).exec();
  }

  @Override
  public void unpause(String id) {
    client.unpauseContainerCmd(id).exec();
  }

  @Override
  public void disconnect(String id, String network) {
    client.disconnectFromNetworkCmd().withNetworkId(network).withContainerId(id).withForce(true).exec();
  }

  @Override
  public void connect(String id, String network, List<String> aliases) {
    client.connectToNetworkCmd().withNetworkId(network).withContainerId(id)
        .withContainerNetwork(new ContainerNetwork().withAliases(aliases)).exec();
  }

  /**
   * A throw-away container from the node's own image (so the same user, uid 10001, owns what
   * it deletes) with the node's volumes ({@code --volumes-from}, which works for a stopped
   * container) runs {@code find PATH -mindepth 1 -delete}; labelled with this session's id so
   * that Testcontainers' reaper removes it if this JVM dies first.
   */
  @Override
  public void emptyVolume(String id, String path) {
    String image = inspect(id).getImageId();
    Map<String, String> labels = new HashMap<>(DockerClientFactory.DEFAULT_LABELS);
    labels.put(DockerClientFactory.TESTCONTAINERS_SESSION_ID_LABEL, DockerClientFactory.SESSION_ID);
    String helper = client.createContainerCmd(image)
        .withEntrypoint("/bin/sh")
        .withCmd("-c", "find " + path + " -mindepth 1 -delete")
        .withLabels(labels)
        .withHostConfig(HostConfig.newHostConfig().withVolumesFrom(new VolumesFrom(id)))
        .exec().getId();
    try {
      client.startContainerCmd(helper).exec();
      Integer code = client.waitContainerCmd(helper).exec(new WaitContainerResultCallback())
          .awaitStatusCode(EXIT_WAIT.toSeconds(), TimeUnit.SECONDS);
      if (code == null || code != 0) {
        throw new IllegalStateException("emptying " + path + " of " + id + " exited with " + code);
      }
    } finally {
      client.removeContainerCmd(helper).withForce(true).exec();
    }
  }

  private void awaitExit(String id) {
    client.waitContainerCmd(id).exec(new WaitContainerResultCallback()).awaitStatusCode(EXIT_WAIT.toSeconds(), TimeUnit.SECONDS);
  }
}
