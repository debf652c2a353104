package io.quorumkv.cli;

import io.quorumkv.proto.JsonStrings;
import java.util.List;
import java.util.Map;

/** Minimal JSON writer for the CLI's machine-readable output (maps, lists, strings, numbers). */
final class Json {
  private Json() {}

  static String write(Object o) {
    StringBuilder b = new StringBuilder();
    write(b, o);
    return b.toString();
  }

  private static void write(StringBuilder b, Object o) {
    if (o == null) {
      b.append("null");
    } else if (o instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        b.append(first ? "" : ", ");
        first = false;
        JsonStrings.appendQuoted(b, String.valueOf(e.getKey()));
        b.append(": ");
        write(b, e.getValue());
      }
      b.append('}');
    } else if (o instanceof List<?> l) {
      b.append('[');
      for (int i = 0; i < l.size(); i++) {
        b.append(i == 0 ? "" : ", ");
        write(b, l.get(i));
      }
      b.append(']');
    } else if (o instanceof Number || o instanceof Boolean) {
      b.append(o);
    } else {
      JsonStrings.appendQuoted(b, o.toString());
    }
  }
}
