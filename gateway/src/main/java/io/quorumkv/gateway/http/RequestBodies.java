package io.quorumkv.gateway.http;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads request bodies into memory with a bound. Stateless and thread-safe. */
final class RequestBodies {
  private RequestBodies() {}

  /**
   * The whole body (empty array if there is none), or empty if it is longer than
   * {@code maxBytes}. Never holds more than {@code maxBytes + 1} bytes: a declared
   * {@code content-length} over the bound is refused without reading, a chunked body is cut off
   * one byte past it. A refused HTTP/1 body is not drained: the response closes the connection
   * instead, so a huge upload costs nothing more.
   */
  static Optional<byte[]> read(ServerRequest req, ServerResponse res, int maxBytes) {
    OptionalLong declared = req.headers().contentLength();
    if (declared.isPresent() && declared.getAsLong() > maxBytes) {
      return refuse(req, res);
    }
    if (!req.content().hasEntity()) {
      return Optional.of(new byte[0]);
    }
    try {
      InputStream in = req.content().inputStream();
      byte[] body = in.readNBytes(maxBytes + 1);
      if (body.length > maxBytes) {
        return refuse(req, res);
      }
      return Optional.of(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<byte[]> refuse(ServerRequest req, ServerResponse res) {
    // HTTP/2 forbids connection headers; there the stream ends with the response anyway.
    if (req.prologue().protocolVersion().startsWith("1")) {
      res.header(HeaderValues.CONNECTION_CLOSE);
    }
    return Optional.empty();
  }
}
