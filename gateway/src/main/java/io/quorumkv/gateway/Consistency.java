package io.quorumkv.gateway;

/**
 * How fresh a read must be. Chosen by the endpoint a request arrived on, never by the request
 * body: {@code /v2/*} reads are {@link #STRONG}, {@code /eventual/v2/*} reads are
 * {@link #EVENTUAL} (gateway/DESIGN.md, "Consistency flags").
 */
public enum Consistency {
  /**
   * Linearizable: the answer reflects every write acknowledged before the read began, and is
   * marked {@code read_is_strongly_consistent=true}.
   */
  STRONG,
  /**
   * Served from some replica's local state with no coordination; it may lag the leader, and the
   * answer is marked {@code read_is_strongly_consistent=false}.
   */
  EVENTUAL
}
