package io.quorumkv.gateway.validation;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.deno.kv.datapath.AtomicWrite;
import com.deno.kv.datapath.SnapshotRead;
import com.deno.kv.datapath.Watch;
import io.quorumkv.gateway.validation.ValidationCases.Case;
import io.quorumkv.proto.KvException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven: every message of KV-CONNECT.md §4/§5.1/§6/§7, its order, and the boundaries. */
class RequestValidatorTest {
  /** A fixed "now" (2025-06-15) so deadline cases do not depend on the clock. */
  static final long NOW_MS = 1_750_000_000_000L;

  static List<Case> invalid() {
    return ValidationCases.invalid(NOW_MS);
  }

  static List<Case> valid() {
    return ValidationCases.valid(NOW_MS);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsWithTheReferenceMessage(Case c) {
    KvException.InvalidRequest e =
        assertThrows(KvException.InvalidRequest.class, () -> validate(c));
    assertEquals(c.expectedMessage(), e.getMessage());
    assertEquals(400, e.httpStatus());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void acceptsBoundaryRequests(Case c) {
    assertDoesNotThrow(() -> validate(c));
  }

  private static void validate(Case c) {
    switch (c.kind()) {
      case SNAPSHOT_READ -> RequestValidator.validate((SnapshotRead) c.request());
      case ATOMIC_WRITE -> RequestValidator.validate((AtomicWrite) c.request(), NOW_MS);
      case WATCH -> RequestValidator.validate((Watch) c.request());
    }
  }
}
