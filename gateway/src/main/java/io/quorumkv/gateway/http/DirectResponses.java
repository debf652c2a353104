package io.quorumkv.gateway.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Answers for requests that Helidon refuses itself, before they reach {@link KvConnectHandler}.
 * The one that matters is an HTTP/1 body whose declared length is over Helidon's own payload cap
 * (set above {@link io.quorumkv.proto.Limits#MAX_REQUEST_BODY_BYTES} by the server): Helidon
 * answers 413 with an empty body, where the reference answers every oversized body with the same
 * plain-text 413 (KV-CONNECT.md §1.2). Every other event keeps Helidon's default answer.
 * Stateless and thread-safe.
 */
public final class DirectResponses {
  private DirectResponses() {}

  /** Helidon's defaults, except that a 413 carries the reference's text. */
  public static DirectHandlers handlers() {
    DirectHandler fallback = DirectHandler.defaultHandler();
    DirectHandler badRequest =
        (DirectHandler.TransportRequest request,
            DirectHandler.EventType eventType,
            Status status,
            ServerResponseHeaders headers,
            String message) -> {
          if (status.code() != Status.REQUEST_ENTITY_TOO_LARGE_413.code()) {
            return fallback.handle(request, eventType, status, headers, message);
          }
          return DirectHandler.TransportResponse.builder()
              .status(status)
              .headers(headers)
              .header(HeaderNames.CONTENT_TYPE, KvConnectHandler.TEXT_PLAIN)
              .entity(KvConnectHandler.PAYLOAD_TOO_LARGE)
              .keepAlive(false)
              .build();
        };
    return DirectHandlers.builder()
        .addHandler(DirectHandler.EventType.BAD_REQUEST, badRequest)
        .build();
  }
}
