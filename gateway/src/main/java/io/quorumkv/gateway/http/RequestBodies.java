package io.quorumkv.gateway.http;

import io.helidon.webserver.http.ServerRequest;
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
   * one byte past it.
   *
   * <p>The rest of a refused body is left to Helidon, which drains it after the response (up to
   * its own payload cap, KvConnectServer) and keeps the connection. Closing the connection
   * instead, with the client's bytes still unread, made the kernel answer with a reset that
   * could overtake the 413: 31 of 300 HTTP/1 uploads of 2 MiB + 1 bytes got no response at
   * all. Draining up to 4 MiB costs less than the client spent sending it.
   */
  static Optional<byte[]> read(ServerRequest req, int maxBytes) {
    OptionalLong declared = req.headers().contentLength();
    if (declared.isPresent() && declared.getAsLong() > maxBytes) {
      return Optional.empty();
    }
    if (!req.content().hasEntity()) {
      return Optional.of(new byte[0]);
    }
    try {
      InputStream in = req.content().inputStream();
      byte[] body = declared.isPresent() ? readDeclared(in, (int) declared.getAsLong(), maxBytes)
          : in.readNBytes(maxBytes + 1);
      if (body.length > maxBytes) {
        return Optional.empty();
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
}
