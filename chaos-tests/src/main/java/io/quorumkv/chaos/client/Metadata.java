package io.quorumkv.chaos.client;

import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The parsed metadata exchange response (KV-CONNECT.md §1.2): negotiated version, database
 * id, the data-path token and the first {@code strong} endpoint resolved against the
 * metadata URL (the endpoint every Deno CLI operation uses, §9.1).
 */
public record Metadata(int version, String databaseId, String token, URI strongEndpoint) {

  /**
   * Parses and validates a 200 body. Throws {@link IllegalArgumentException} with a one-line
   * reason for anything a real client would reject.
   */
  public static Metadata parse(String json, URI metadataUrl) {
    if (!(MiniJson.parse(json) instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("metadata is not a JSON object");
    }
    int version = m.get("version") instanceof BigDecimal v ? v.intValueExact() : -1;
    if (version != 2 && version != 3) {
      throw new IllegalArgumentException("metadata version " + m.get("version") + " is not one we offered (2, 3)");
    }
    if (!(m.get("databaseId") instanceof String id) || id.isEmpty()) {
      throw new IllegalArgumentException("metadata has no databaseId");
    }
    if (!(m.get("token") instanceof String token) || token.isEmpty()) {
      throw new IllegalArgumentException("metadata has no token");
    }
    if (!(m.get("endpoints") instanceof List<?> endpoints)) {
      throw new IllegalArgumentException("metadata has no endpoints");
    }
    for (Object e : endpoints) {
      if (e instanceof Map<?, ?> ep && "strong".equals(ep.get("consistency")) && ep.get("url") instanceof String url) {
        if (url.endsWith("/")) {
          throw new IllegalArgumentException("endpoint URL ends in '/': " + url);
        }
        return new Metadata(version, id, token, metadataUrl.resolve(url));
      }
    }
    throw new IllegalArgumentException("metadata lists no strong endpoint");
  }
}
