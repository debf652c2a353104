package io.quorumkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuMeterTest {
  @Test
  void perOpSplitsServersAndClientAndSumsThem() {
    Map<String, String> m = CpuMeter.perOp(
        Map.of("gateway", 1_000L, "n1", 5_000L), Map.of("gateway", 3_000L, "n1", 6_000L), 500.0, 10_000);
    assertEquals("0.200", m.get("cpu.gateway"));
    assertEquals("0.100", m.get("cpu.n1"));
    assertEquals("0.050", m.get("cpu.client"));
    assertEquals("0.350", m.get("cpuMsPerOp"));
  }

  @Test
  void aServerGoneBeforeTheEndIsLeftOut() {
    Map<String, String> m = CpuMeter.perOp(Map.of("n1", 100L, "n2", 100L), Map.of("n1", 300L), 0.0, 100);
    assertEquals("2.000", m.get("cpu.n1"));
    assertTrue(!m.containsKey("cpu.n2"));
    assertEquals("2.000", m.get("cpuMsPerOp"));
  }

  @Test
  void noOperationsOrNoClientNumberGivesNothing() {
    assertTrue(CpuMeter.perOp(Map.of("n1", 1L), Map.of("n1", 2L), 10.0, 0).isEmpty());
    assertTrue(CpuMeter.perOp(Map.of("n1", 1L), Map.of("n1", 2L), null, 10).isEmpty());
  }

  @Test
  void ceilingIsWhatTheCoresAllow() {
    assertEquals(8_000, CpuMeter.ceiling(2, 0.25));
    assertEquals(0, CpuMeter.ceiling(2, 0));
  }

  @Test
  void sampleReadsThisProcess() {
    Map<String, Long> m = CpuMeter.sample(Map.of("self", ProcessHandle.current()));
    assertTrue(m.get("self") > 0, m.toString());
  }
}
