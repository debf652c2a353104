package io.quorumkv.cli;

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
        string(b, String.valueOf(e.getKey()));
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
      string(b, o.toString());
    }
  }

  static void string(StringBuilder b, String s) {
    b.append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
