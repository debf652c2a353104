package io.quorumkv.chaos.report;

import io.quorumkv.chaos.history.FaultWindow;
import io.quorumkv.chaos.history.History;
import io.quorumkv.chaos.history.Op;
import io.quorumkv.chaos.history.OpStatus;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The picture of a run, in the style of Jepsen's latency and rate plots: on top, each
 * operation's latency (log scale) at its invocation time, coloured by outcome; below, OK and
 * not-OK operations completed per second; fault windows shaded across both. Rendered headless
 * (set {@code java.awt.headless=true}). Stateless.
 */
public final class ChartRenderer {
  /** Shading of fault windows (translucent red). */
  public static final Color FAULT_SHADE = new Color(230, 60, 60, 60);
  private static final Color OK = new Color(40, 110, 200);
  private static final Color FAIL = new Color(230, 150, 0);
  private static final Color INFO = new Color(200, 30, 30);
  /** Scatter points beyond this are sampled evenly, to keep rendering time bounded. */
  static final int MAX_POINTS = 50_000;

  private ChartRenderer() {}

  /** Writes a {@code width} x {@code height} PNG of {@code history} to {@code out}. */
  public static void writePng(History history, Path out, int width, int height) throws IOException {
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    ChartUtils.saveChartAsPNG(out.toFile(), chart(history), width, height);
  }

  /** Renders to an image, filling {@code info} with the plot areas (for tests). */
  public static BufferedImage render(History history, int width, int height, ChartRenderingInfo info) {
    return chart(history).createBufferedImage(width, height, info);
  }

  /** The chart: a latency plot over a throughput plot, sharing the time axis. */
  public static JFreeChart chart(History history) {
    NumberAxis time = new NumberAxis("seconds since start");
    CombinedDomainXYPlot combined = new CombinedDomainXYPlot(time);
    combined.setGap(8);
    XYPlot latency = latencyPlot(history);
    XYPlot rate = throughputPlot(history);
    for (FaultWindow f : history.faults()) {
      double start = seconds(history, f.startNanos());
      double end = seconds(history, f.endNanos() == Op.NEVER ? history.endNanos() : f.endNanos());
      for (XYPlot p : new XYPlot[] {latency, rate}) {
        IntervalMarker m = new IntervalMarker(start, Math.max(end, start + 0.01), FAULT_SHADE);
        if (p == latency) {
          m.setLabel(f.description());
          m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
          m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
          m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        }
        p.addDomainMarker(m, Layer.BACKGROUND);
      }
    }
    combined.add(latency, 3);
    combined.add(rate, 2);
    JFreeChart chart = new JFreeChart("latency and throughput (" + history.ops().size() + " ops, "
        + history.faults().size() + " faults shaded)", JFreeChart.DEFAULT_TITLE_FONT, combined, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  private static XYPlot latencyPlot(History h) {
    XYSeries ok = new XYSeries("ok", false, true);
    XYSeries fail = new XYSeries("fail", false, true);
    XYSeries info = new XYSeries("indeterminate", false, true);
    int step = Math.max(1, h.ops().size() / MAX_POINTS);
    int i = 0;
    for (Op op : h.ops()) {
      if (i++ % step != 0) {
        continue;
      }
      double ms = Math.max(0.01, (op.completeNanos() - op.invokeNanos()) / 1e6);
      XYSeries s = op.status() == OpStatus.OK ? ok : op.status() == OpStatus.FAIL ? fail : info;
      s.add(seconds(h, op.invokeNanos()), ms, false);
    }
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(ok);
    data.addSeries(fail);
    data.addSeries(info);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
    Color[] colors = {OK, FAIL, INFO};
    for (int s = 0; s < colors.length; s++) {
      r.setSeriesPaint(s, colors[s]);
      r.setSeriesShape(s, new Ellipse2D.Double(-1.5, -1.5, 3, 3));
    }
    LogAxis y = new LogAxis("latency (ms)");
    y.setSmallestValue(0.01);
    y.setTickUnit(new NumberTickUnit(1)); // one tick per decade
    y.setNumberFormatOverride(new DecimalFormat("#,##0.##"));
    y.setMinorTickMarksVisible(true);
    XYPlot p = new XYPlot(data, null, y, r);
    p.setBackgroundPaint(Color.WHITE);
    p.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return p;
  }

  private static XYPlot throughputPlot(History h) {
    Map<Long, int[]> perSecond = new TreeMap<>();
    long end = (h.endNanos() - h.originNanos()) / 1_000_000_000L;
    for (long s = 0; s <= end; s++) {
      perSecond.put(s, new int[2]);
    }
    for (Op op : h.ops()) {
      long s = (op.completeNanos() - h.originNanos()) / 1_000_000_000L;
      perSecond.computeIfAbsent(Math.max(0, s), k -> new int[2])[op.status() == OpStatus.OK ? 0 : 1]++;
    }
    XYSeries ok = new XYSeries("ok ops/s");
    XYSeries notOk = new XYSeries("failed or indeterminate ops/s");
    perSecond.forEach((s, c) -> {
      ok.add(s + 0.5, c[0]);
      notOk.add(s + 0.5, c[1]);
    });
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(ok);
    data.addSeries(notOk);
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    r.setSeriesPaint(0, OK);
    r.setSeriesPaint(1, INFO);
    r.setSeriesStroke(0, new BasicStroke(1.5f));
    r.setSeriesStroke(1, new BasicStroke(1.5f));
    XYPlot p = new XYPlot(data, null, new NumberAxis("ops/s"), r);
    p.setBackgroundPaint(Color.WHITE);
    p.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return p;
  }

  private static double seconds(History h, long nanos) {
    return (nanos - h.originNanos()) / 1e9;
  }
}
