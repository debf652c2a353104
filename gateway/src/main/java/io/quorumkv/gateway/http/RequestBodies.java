package io.quorumkv.gateway.http;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
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
      byte[] body = declared.isPresent() ? readDeclared(in, (int) declared.getAsLong(), maxBytes)
          : in.readNBytes(maxBytes + 1);
      if (body.length > maxBytes) {
        return refuse(req, res);
      }
      return Optional.of(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A body that declared its length ({@code <= maxBytes}): read into an array of exactly that
   * size. {@code InputStream.readNBytes(int)} would allocate a 16 KiB scratch buffer for every
   * request, however small (most bodies are a few hundred bytes). Whatever differs from the
   * declaration is still read whole, up to one byte past {@code maxBytes}.
   */
  static byte[] readDeclared(InputStream in, int length, int maxBytes) throws IOException {
    byte[] body = new byte[length];
    int n = in.readNBytes(body, 0, length);
    if (n < length) { // shorter than declared: what came
      return Arrays.copyOf(body, n);
    }
    int next = in.read();
    if (next == -1) {
      return body;
    }
    // Longer than declared: the rest too, up to one byte past the bound.
    byte[] rest = in.readNBytes(maxBytes - length);
    byte[] all = Arrays.copyOf(body, length + 1 + rest.length);
    all[length] = (byte) next;
    System.arraycopy(rest, 0, all, length + 1, rest.length);
    return all;
  }

  private static Optional<byte[]> refuse(ServerRequest req, ServerResponse res) {
    // HTTP/2 forbids connection headers; there the stream ends with the response anyway.
    if (req.prologue().protocolVersion().startsWith("1")) {
      res.header(HeaderValues.CONNECTION_CLOSE);
    }
    return Optional.empty();
  }
}
