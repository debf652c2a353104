package io.quorumkv.chaos.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quorumkv.chaos.check.CheckResult;
import io.quorumkv.chaos.check.Verdict;
import io.quorumkv.chaos.history.FaultWindow;
import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.Op;
import io.quorumkv.chaos.history.OpStatus;
import io.quorumkv.chaos.history.OpType;
import io.quorumkv.chaos.nemesis.Fault;
import io.quorumkv.chaos.nemesis.FaultType;
import io.quorumkv.chaos.nemesis.NemesisSchedule;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run chart and the text report, from a synthetic 20-second history with two faults. */
class ChartRendererTest {
  private static final long S = 1_000_000_000L;

  /** 4 clients, ~10 ms ops; during faults writes time out after 1 s. */
  static History synthetic() {
    Random r = new Random(3);
    List<FaultWindow> faults = List.of(new FaultWindow("kill9-leader n1", 5 * S, 8 * S), new FaultWindow("pause-leader n2", 13 * S, 15 * S));
    List<Op> ops = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      long t = 0;
      while (t < 20 * S) {
        long at = t;
        boolean inFault = faults.stream().anyMatch(f -> at >= f.startNanos() && at < f.endNanos());
        OpStatus status = inFault ? (r.nextBoolean() ? OpStatus.INFO : OpStatus.FAIL) : OpStatus.OK;
        long latency = inFault ? S : 5_000_000L + r.nextInt(10_000_000);
        ops.add(new Op(ops.size(), p, OpType.WRITE, "r0", null, (long) ops.size(), Map.of(), t, t + latency, status, null));
        t += latency + 1_000_000L;
      }
    }
    return new History(0, ops, faults);
  }

  @Test
  void writesANonEmptyPng(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("sub/run.png");
    ChartRenderer.writePng(synthetic(), png, 1200, 700);
    assertTrue(Files.size(png) > 10_000, "size " + Files.size(png));
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(1200, img.getWidth());
    assertEquals(700, img.getHeight());
    // keep a copy where a person can look at it
    Path keep = Path.of(System.getProperty("chaos.outputDir", "target/chaos"), "synthetic-chart.png");
    Files.createDirectories(keep.getParent());
    Files.copy(png, keep, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void shadesFaultWindows() {
    History h = synthetic();
    JFreeChart chart = ChartRenderer.chart(h);
    ChartRenderingInfo info = new ChartRenderingInfo();
    BufferedImage img = chart.createBufferedImage(1200, 700, info);
    CombinedDomainXYPlot plot = (CombinedDomainXYPlot) chart.getXYPlot();
    Rectangle2D area = info.getPlotInfo().getSubplotInfo(1).getDataArea(); // throughput plot
    int y = (int) (area.getMinY() + 3); // the top margin: above every line
    int inFault = (int) plot.getDomainAxis().valueToJava2D(6.5, area, RectangleEdge.BOTTOM);
    int outside = (int) plot.getDomainAxis().valueToJava2D(10.5, area, RectangleEdge.BOTTOM);
    int shaded = img.getRGB(inFault, y);
    int plain = img.getRGB(outside, y);
    assertEquals(0xFFFFFFFF, plain, "white outside faults");
    assertNotEquals(plain, shaded, "fault window shaded");
    assertTrue(((shaded >> 16) & 0xFF) > ((shaded >> 8) & 0xFF), "reddish shade: " + Integer.toHexString(shaded));
  }

  @Test
  void reportPrintsSeedCountsVerdictsAndRecovery() {
    NemesisSchedule schedule = new NemesisSchedule(99, List.of(new Fault(FaultType.KILL9_LEADER, 0, Duration.ofSeconds(5), Duration.ofSeconds(3))));
    RunReport r = new RunReport("register", 99, schedule, List.of("+5.000s kill9-leader for 3.000s: kill9-leader n1"),
        Map.of(OpStatus.OK, 10L, OpStatus.FAIL, 2L, OpStatus.INFO, 1L),
        List.of(CheckResult.pass("linearizability", "5 keys"), new CheckResult("durability", Verdict.FAIL, "lost", List.of("key r1 is absent"))),
        Duration.ofMillis(800), Duration.ofMillis(2100), Path.of("x.png"), Duration.ofSeconds(30));
    String text = r.render();
    assertEquals(Verdict.FAIL, r.verdict());
    assertTrue(text.startsWith("chaos run register: FAIL (seed 99, replay with -Dchaos.seed=99)"), text);
    assertTrue(text.contains("operations: 13 (ok 10, fail 2, indeterminate 1)"), text);
    assertTrue(text.contains("recovery: median 800 ms, worst 2100 ms"), text);
    assertTrue(text.contains("+5.000s kill9-leader for 3.000s"), text);
    assertTrue(text.contains("durability       FAIL    lost"), text);
    assertTrue(text.contains("key r1 is absent"), text);
  }
}
