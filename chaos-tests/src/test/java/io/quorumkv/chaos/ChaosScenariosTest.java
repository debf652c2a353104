package io.quorumkv.chaos;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.chaos.nemesis.FaultType;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The shared scenarios refuse a schedule the cluster cannot apply. */
class ChaosScenariosTest {
  @Test
  void aFaultTheClusterCannotApplyIsRefusedUpFront() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChaosScenarios.requireSupported(
        EnumSet.of(FaultType.KILL9_LEADER, FaultType.PARTITION), EnumSet.of(FaultType.KILL9_LEADER)));
    assertTrue(e.getMessage().contains("PARTITION"), e.getMessage());
    assertDoesNotThrow(() -> ChaosScenarios.requireSupported(EnumSet.of(FaultType.KILL9_LEADER), EnumSet.allOf(FaultType.class)));
  }
}
