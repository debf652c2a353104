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

/** Draws the benchmark table as grouped bars: QuorumKV vs Deno's in-process SQLite, per workload. */
final class BenchChart {
  private BenchChart() {}

  static void write(List<Map<String, String>> rows, Path png, String subtitle) throws IOException {
    System.setProperty("java.awt.headless", "true");
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Map<String, String> r : rows) {
      add(data, r.get("quorumkv.opsPerSec"), "QuorumKV (3 nodes + gateway)", r.get("workload"));
      add(data, r.get("baseline.opsPerSec"), "Deno in-process SQLite KV", r.get("workload"));
    }
    JFreeChart chart = ChartFactory.createBarChart("QuorumKV benchmark: operations per second",
        "workload", "ops/s", data, PlotOrientation.VERTICAL, true, false, false);
    chart.addSubtitle(new org.jfree.chart.title.TextTitle(subtitle));
    chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
    chart.getCategoryPlot().setRangeGridlinePaint(Color.GRAY);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 500);
  }

  private static void add(DefaultCategoryDataset data, String value, String series, String workload) {
    if (value != null) {
      data.addValue(Double.parseDouble(value), series, workload);
    }
  }
}
