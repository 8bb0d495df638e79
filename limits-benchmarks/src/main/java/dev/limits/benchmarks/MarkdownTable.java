package dev.limits.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a JMH JSON result file into a markdown table: one row per benchmark class and parameter set, one
 * throughput column per benchmark method, each method's throughput divided by the baseline's
 * ({@code bucket4j}), and the allocation per operation where the gc profiler ran.
 *
 * <pre>java -cp limits-benchmarks.jar dev.limits.benchmarks.MarkdownTable result.json [baseline] &gt; table.md</pre>
 */
public final class MarkdownTable {

  private MarkdownTable() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: MarkdownTable <jmh-result.json> [baseline method, default bucket4j]");
      System.exit(2);
    }
    String json = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.print(render(json, args.length > 1 ? args[1] : "bucket4j"));
  }

  /**
   * One measured benchmark: its method, score, error, best iteration, unit and allocation per op (NaN if
   * unknown). On a loaded machine the best iteration is the least disturbed one.
   */
  private record Row(String method, double score, double error, double best, String unit, double allocPerOp) {}

  @SuppressWarnings("unchecked")
  static String render(String json, String baseline) {
    List<String> paramNames = paramNames(json);
    Map<String, Map<String, Row>> groups = new LinkedHashMap<>();
    List<String> methods = new ArrayList<>();
    for (Object o : (List<Object>) Json.parse(json)) {
      Map<String, Object> r = (Map<String, Object>) o;
      String benchmark = (String) r.get("benchmark");
      int dot = benchmark.lastIndexOf('.');
      String method = benchmark.substring(dot + 1);
      String scenario = benchmark.substring(benchmark.lastIndexOf('.', dot - 1) + 1, dot);
      StringBuilder key = new StringBuilder(scenario).append(" | ")
          .append((int) Json.number(r.get("threads")));
      Map<String, Object> params = (Map<String, Object>) r.getOrDefault("params", Map.of());
      for (String p : paramNames) {
        key.append(" | ").append(params.getOrDefault(p, ""));
      }
      Map<String, Object> primary = (Map<String, Object>) r.get("primaryMetric");
      Map<String, Object> secondary = (Map<String, Object>) r.getOrDefault("secondaryMetrics", Map.of());
      Map<String, Object> alloc = (Map<String, Object>) secondary.get("gc.alloc.rate.norm");
      groups.computeIfAbsent(key.toString(), k -> new LinkedHashMap<>()).put(method,
          new Row(method, Json.number(primary.get("score")), Json.number(primary.get("scoreError")),
              best((List<Object>) primary.get("rawData")), (String) primary.get("scoreUnit"),
              alloc == null ? Double.NaN : Json.number(alloc.get("score"))));
      if (!methods.contains(method)) {
        methods.add(method);
      }
    }
    // The facade first, then the store alone, then any other method, the baseline last.
    for (String first : List.of("counter", "limiter")) {
      if (methods.remove(first)) {
        methods.add(0, first);
      }
    }
    if (methods.remove(baseline)) {
      methods.add(baseline);
    }
    String unit = groups.values().stream().flatMap(g -> g.values().stream()).map(Row::unit).findFirst()
        .orElse("");
    StringBuilder md = new StringBuilder();
    md.append("| scenario | threads");
    paramNames.forEach(p -> md.append(" | ").append(p));
    methods.forEach(m -> md.append(" | ").append(m).append(" (").append(unit).append(')'));
    boolean hasBaseline = methods.contains(baseline);
    if (hasBaseline) {
      methods.stream().filter(m -> !m.equals(baseline))
          .forEach(m -> md.append(" | ").append(m).append(" ÷ ").append(baseline).append(" (best)"));
    }
    methods.forEach(m -> md.append(" | ").append(m).append(" B/op"));
    md.append(" |\n|");
    int columns = 2 + paramNames.size() + methods.size() * 2 + (hasBaseline ? methods.size() - 1 : 0);
    for (int i = 0; i < columns; i++) {
      md.append(i < 2 + paramNames.size() ? " --- |" : " ---: |");
    }
    md.append('\n');
    for (Map.Entry<String, Map<String, Row>> g : groups.entrySet()) {
      Map<String, Row> rows = g.getValue();
      md.append("| ").append(g.getKey());
      for (String m : methods) {
        Row r = rows.get(m);
        md.append(" | ").append(r == null ? "" : fmt(r.score()) + " ± " + fmt(r.error()));
      }
      if (hasBaseline) {
        Row base = rows.get(baseline);
        for (String m : methods) {
          if (!m.equals(baseline)) {
            Row r = rows.get(m);
            md.append(" | ").append(r == null || base == null ? ""
                : String.format(Locale.ROOT, "**%.2f×** (%.2f×)", r.score() / base.score(), r.best() / base.best()));
          }
        }
      }
      for (String m : methods) {
        Row r = rows.get(m);
        md.append(" | ").append(r == null || Double.isNaN(r.allocPerOp()) ? ""
            : String.format(Locale.ROOT, "%.0f", r.allocPerOp()));
      }
      md.append(" |\n");
    }
    return md.toString();
  }

  @SuppressWarnings("unchecked")
  private static List<String> paramNames(String json) {
    TreeMap<String, Boolean> names = new TreeMap<>();
    for (Object o : (List<Object>) Json.parse(json)) {
      Map<String, Object> params = (Map<String, Object>) ((Map<String, Object>) o).getOrDefault("params",
          Map.of());
      params.keySet().forEach(k -> names.put(k, true));
    }
    return new ArrayList<>(names.keySet());
  }

  /** The highest throughput of any iteration of any fork (NaN if JMH wrote no raw data). */
  @SuppressWarnings("unchecked")
  private static double best(List<Object> rawData) {
    double best = Double.NaN;
    if (rawData != null) {
      for (Object fork : rawData) {
        for (Object v : (List<Object>) fork) {
          double d = Json.number(v);
          best = Double.isNaN(best) ? d : Math.max(best, d);
        }
      }
    }
    return best;
  }

  private static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "?";
    }
    return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : v >= 1 ? "%.2f" : "%.3f", v);
  }
}
