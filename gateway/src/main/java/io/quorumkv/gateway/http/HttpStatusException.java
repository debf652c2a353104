package io.quorumkv.gateway.http;

/**
 * An HTTP-level refusal that is not part of the shared {@code KvException} vocabulary (unknown
 * path, wrong method, oversized body). Thrown inside this package and turned into a response by
 * {@link KvConnectHandler} only.
 */
final class HttpStatusException extends RuntimeException {
  private final int status;

  /**
   * @param status the HTTP status
   * @param message the plain-text body; empty for none
   */
  HttpStatusException(int status, String message) {
    super(message, null, false, false); // an expected outcome: no stack trace to fill in
    this.status = status;
  }

  int status() {
    return status;
  }
}
