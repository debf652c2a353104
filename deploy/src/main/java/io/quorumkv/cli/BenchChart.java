package io.quorumkv.cli;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/** Draws the benchmark table as grouped bars per workload: QuorumKV, Deno's in-process SQLite, etcd (those that ran). */
final class BenchChart {
  private BenchChart() {}

  private static final String QUORUMKV = "QuorumKV (3 nodes + gateway)";
  private static final String DENO = "Deno in-process SQLite KV";
  private static final String ETCD = "etcd (3 members, HTTP JSON API)";
  /** Fixed per series, so a run without QuorumKV (--only-baselines) keeps the same colours. */
  private static final Map<String, Color> COLOURS = Map.of(
      QUORUMKV, new Color(0x1f77b4), DENO, new Color(0xff7f0e), ETCD, new Color(0x2ca02c));

  static void write(List<Map<String, String>> rows, Path png, String subtitle) throws IOException {
    System.setProperty("java.awt.headless", "true");
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Map<String, String> r : rows) {
      add(data, r.get("quorumkv.opsPerSec"), QUORUMKV, r.get("workload"));
      add(data, r.get("baseline.opsPerSec"), DENO, r.get("workload"));
      add(data, r.get("etcd.opsPerSec"), ETCD, r.get("workload"));
    }
    JFreeChart chart = ChartFactory.createBarChart("QuorumKV benchmark: operations per second",
        "workload", "ops/s", data, PlotOrientation.VERTICAL, true, false, false);
    chart.addSubtitle(new org.jfree.chart.title.TextTitle(subtitle));
    chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
    chart.getCategoryPlot().setRangeGridlinePaint(Color.GRAY);
    for (int i = 0; i < data.getRowCount(); i++) {
      chart.getCategoryPlot().getRenderer().setSeriesPaint(i, COLOURS.get((String) data.getRowKey(i)));
    }
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 500);
  }

  private static void add(DefaultCategoryDataset data, String value, String series, String workload) {
    if (value != null) {
      data.addValue(Double.parseDouble(value), series, workload);
    }
  }
}
