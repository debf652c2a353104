package io.quorumkv.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The spellings the Rust uuid crate (1.x parse_str) accepts and rejects. */
class UuidTextTest {
  static final UUID ID = UUID.fromString("936da01f-9abd-4d9d-80c7-02af85c822a8");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "936da01f-9abd-4d9d-80c7-02af85c822a8",
        "936DA01F-9ABD-4D9D-80C7-02AF85C822A8",
        "936da01f9abd4d9d80c702af85c822a8",
        "936DA01F9abd4D9D80C702AF85C822A8",
        "{936da01f-9abd-4d9d-80c7-02af85c822a8}",
        "urn:uuid:936da01f-9abd-4d9d-80c7-02af85c822a8",
        "urn:uuid:936DA01F-9ABD-4D9D-80C7-02AF85C822A8",
      })
  void parses(String text) {
    assertEquals(Optional.of(ID), UuidText.parse(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "936da01f-9abd-4d9d-80c7-02af85c822a",
        "936da01f-9abd-4d9d-80c7-02af85c822a80",
        "936da01f9abd-4d9d-80c7-02af85c822a8-",
        "936da01f-9abd-4d9d-80c702af85c822a8-",
        "936da01f-9abd-4d9d-80c7-02af85c822ag",
        "936da01f-9abd-4d9d-80c7-02af85c822a\u0668",
        "{936da01f9abd4d9d80c702af85c822a8}",
        "(936da01f-9abd-4d9d-80c7-02af85c822a8)",
        "URN:UUID:936da01f-9abd-4d9d-80c7-02af85c822a8",
        "urn:uuid:936da01f9abd4d9d80c702af85c822a8",
        "{urn:uuid:936da01f-9abd-4d9d-80c7-02af85c822a8}",
        " 936da01f-9abd-4d9d-80c7-02af85c822a8",
        "+36da01f-9abd-4d9d-80c7-02af85c822a8",
      })
  void rejects(String text) {
    assertEquals(Optional.empty(), UuidText.parse(text));
  }
}
