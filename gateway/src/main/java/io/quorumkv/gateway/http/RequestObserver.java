package io.quorumkv.gateway.http;

/**
 * Told about every KV Connect request once it has been answered (for a watch: once its stream
 * ended). {@link KvConnectHandler#handle} calls it from one place, so metrics need no code in
 * the individual endpoints.
 *
 * <p>Called concurrently from request threads; must be fast and must not throw.
 */
@FunctionalInterface
public interface RequestObserver {
  /** Observes nothing. */
  RequestObserver NONE = (endpoint, consistency, status, nanos) -> {};

  /**
   * @param endpoint {@code metadata}, {@code snapshot_read}, {@code atomic_write}, {@code watch},
   *     or {@code other} for an unknown path
   * @param consistency {@code strong} ({@code /}, {@code /v2/*}), {@code eventual}
   *     ({@code /replica}, {@code /eventual/v2/*}) or {@code none} for an unknown path
   * @param status the HTTP status sent
   * @param nanos time from the start of handling to the end of the answer
   */
  void completed(String endpoint, String consistency, int status, long nanos);
}
