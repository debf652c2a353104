package io.quorumkv.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonStringsTest {
  @Test
  void quotesAndEscapesWhatJsonRequires() {
    assertEquals("\"plain é\"", JsonStrings.quote("plain é"));
    assertEquals("\"a\\\"b\\\\c\"", JsonStrings.quote("a\"b\\c"));
    assertEquals("\"1\\n2\\r3\\t4\\u0001\"", JsonStrings.quote("1\n2\r3\t4\u0001"));
    StringBuilder b = new StringBuilder("x=");
    JsonStrings.appendQuoted(b, "");
    assertEquals("x=\"\"", b.toString());
  }
}
