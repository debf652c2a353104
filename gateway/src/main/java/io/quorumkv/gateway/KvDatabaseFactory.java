package io.quorumkv.gateway;

/**
 * Creates the {@link KvDatabase} a gateway process serves: the seam where
 * {@link GatewayMain} plugs in the Raft-backed implementation and tests plug in a fake.
 */
@FunctionalInterface
public interface KvDatabaseFactory {

  /**
   * Connects to the database described by {@code config} (its peers). The caller owns the
   * result and closes it.
   *
   * @throws RuntimeException with a one-line message if the database cannot be reached or set up
   */
  KvDatabase create(GatewayConfig config);
}
