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
import java.util.function.Function;

/**
 * Turns a JMH JSON result file into markdown tables. For the in-memory benchmarks two tables, one row per
 * benchmark class and parameter set: throughput per benchmark method with its ratio to the baseline's
 * ({@code bucket4j}); and per operation the CPU time ({@link CpuTimeProfiler}) with its ratio, and the
 * allocation (JMH's gc profiler). For the JDBC benchmarks the tables of {@link DatabaseTables}, each method
 * against its own baseline.
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
   * One measured benchmark: its method, throughput score, error and best iteration (on a loaded machine the
   * least disturbed one), unit, and per operation the CPU time and allocation (NaN where not profiled).
   */
  record Row(String method, double score, double error, double best, String unit, double cpuNs,
      double allocPerOp, double cpuClientNs, double cpuServerNs) {}

  /**
   * The tables of the in-memory benchmarks (methods against {@code baseline}), then, if the file has any, those
   * of the JDBC benchmarks ({@link DatabaseTables}).
   */
  @SuppressWarnings("unchecked")
  static String render(String json, String baseline) {
    List<Object> inMemory = new ArrayList<>();
    List<Object> databases = new ArrayList<>();
    for (Object o : (List<Object>) Json.parse(json)) {
      String benchmark = (String) field((Map<String, Object>) o, "benchmark");
      (DatabaseTables.isDatabase(scenario(benchmark)) ? databases : inMemory).add(o);
    }
    StringBuilder md = new StringBuilder();
    if (!inMemory.isEmpty()) {
      md.append(render(inMemory, baseline));
    }
    if (!databases.isEmpty()) {
      md.append(md.length() > 0 ? "\n" : "").append(DatabaseTables.render(databases));
    }
    return md.toString();
  }

  /** The benchmark class's simple name in a JMH benchmark name ({@code package.Class.method}). */
  static String scenario(String benchmark) {
    int dot = benchmark.lastIndexOf('.');
    return benchmark.substring(benchmark.lastIndexOf('.', dot - 1) + 1, dot);
  }

  /** One JMH result as a {@link Row}. */
  @SuppressWarnings("unchecked")
  static Row row(Map<String, Object> r) {
    String benchmark = (String) field(r, "benchmark");
    String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
    Map<String, Object> primary = (Map<String, Object>) field(r, "primaryMetric");
    Map<String, Object> secondary = (Map<String, Object>) r.getOrDefault("secondaryMetrics", Map.of());
    return new Row(method, Json.number(field(primary, "score")), Json.number(field(primary, "scoreError")),
        best((List<Object>) field(primary, "rawData")), (String) field(primary, "scoreUnit"),
        secondary(secondary, "cpu.time.norm"), secondary(secondary, "gc.alloc.rate.norm"),
        secondary(secondary, "cpu.client.norm"), secondary(secondary, "cpu.server.norm"));
  }

  @SuppressWarnings("unchecked")
  private static String render(List<Object> results, String baseline) {
    List<String> paramNames = paramNames(results);
    Map<String, Map<String, Row>> groups = new LinkedHashMap<>();
    List<String> methods = new ArrayList<>();
    for (Object o : results) {
      Map<String, Object> r = (Map<String, Object>) o;
      Row row = row(r);
      String method = row.method();
      StringBuilder key = new StringBuilder(scenario((String) field(r, "benchmark"))).append(" | ")
          .append((int) Json.number(field(r, "threads")));
      Map<String, Object> params = (Map<String, Object>) r.getOrDefault("params", Map.of());
      for (String p : paramNames) {
        key.append(" | ").append(params.getOrDefault(p, ""));
      }
      groups.computeIfAbsent(key.toString(), k -> new LinkedHashMap<>()).put(method, row);
      if (!methods.contains(method)) {
        methods.add(method);
      }
    }
    // The facade (answering a boolean, then a decision) first, then the store alone, then any other
    // method, the baseline last.
    for (String first : List.of("counter", "limiter", "tryConsume")) {
      if (methods.remove(first)) {
        methods.add(0, first);
      }
    }
    if (methods.remove(baseline)) {
      methods.add(baseline);
    }
    List<String> others = new ArrayList<>(methods);
    boolean hasBaseline = others.remove(baseline);
    String unit = groups.values().stream().flatMap(g -> g.values().stream()).map(Row::unit).findFirst()
        .orElse("");

    StringBuilder md = new StringBuilder();
    md.append("Throughput (mean ± 99.9% error; ratio of means, and in brackets of the best iterations):\n\n");
    List<String> header = new ArrayList<>();
    methods.forEach(m -> header.add(m + " (" + unit + ")"));
    if (hasBaseline) {
      others.forEach(m -> header.add(m + " ÷ " + baseline));
    }
    table(md, paramNames, header, groups, rows -> {
      List<String> cells = new ArrayList<>();
      methods.forEach(m -> cells.add(rows.containsKey(m) ? fmt(rows.get(m).score()) + " ± "
          + fmt(rows.get(m).error()) : ""));
      if (hasBaseline) {
        Row base = rows.get(baseline);
        others.forEach(m -> cells.add(rows.containsKey(m) && base != null
            ? String.format(Locale.ROOT, "**%.2f×** (%.2f×)", rows.get(m).score() / base.score(),
                rows.get(m).best() / base.best()) : ""));
      }
      return cells;
    });

    md.append("\nCost per operation (process CPU time, GC included; the ratio is the baseline's CPU time over "
        + "the method's, so above 1 means cheaper than the baseline) and allocation:\n\n");
    header.clear();
    methods.forEach(m -> header.add(m + " CPU ns/op"));
    if (hasBaseline) {
      others.forEach(m -> header.add(baseline + " ÷ " + m + " (CPU)"));
    }
    methods.forEach(m -> header.add(m + " B/op"));
    table(md, paramNames, header, groups, rows -> {
      List<String> cells = new ArrayList<>();
      methods.forEach(m -> cells.add(rows.containsKey(m) ? fmt(rows.get(m).cpuNs()) : ""));
      if (hasBaseline) {
        Row base = rows.get(baseline);
        others.forEach(m -> cells.add(rows.containsKey(m) && base != null
            ? String.format(Locale.ROOT, "**%.2f×**", base.cpuNs() / rows.get(m).cpuNs()) : ""));
      }
      methods.forEach(m -> cells.add(rows.containsKey(m) && !Double.isNaN(rows.get(m).allocPerOp())
          ? String.format(Locale.ROOT, "%.0f", rows.get(m).allocPerOp()) : ""));
      return cells;
    });
    return md.toString();
  }

  private static void table(StringBuilder md, List<String> paramNames, List<String> header,
      Map<String, Map<String, Row>> groups, Function<Map<String, Row>, List<String>> cells) {
    md.append("| scenario | threads");
    paramNames.forEach(p -> md.append(" | ").append(p));
    header.forEach(h -> md.append(" | ").append(h));
    md.append(" |\n|");
    for (int i = 0; i < 2 + paramNames.size() + header.size(); i++) {
      md.append(i < 2 + paramNames.size() ? " --- |" : " ---: |");
    }
    md.append('\n');
    for (Map.Entry<String, Map<String, Row>> g : groups.entrySet()) {
      md.append("| ").append(g.getKey());
      cells.apply(g.getValue()).forEach(c -> md.append(" | ").append(c));
      md.append(" |\n");
    }
  }

  /** The value of {@code key} in a JMH result object; JMH always writes the fields read here. */
  static Object field(Map<String, Object> object, String key) {
    Object value = object.get(key);
    if (value == null) {
      throw new IllegalArgumentException("JMH result has no '" + key + "': " + object.keySet());
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  private static double secondary(Map<String, Object> secondary, String name) {
    Map<String, Object> metric = (Map<String, Object>) secondary.get(name);
    return metric == null ? Double.NaN : Json.number(field(metric, "score"));
  }

  @SuppressWarnings("unchecked")
  private static List<String> paramNames(List<Object> results) {
    TreeMap<String, Boolean> names = new TreeMap<>();
    for (Object o : results) {
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

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "?";
    }
    return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : v >= 1 ? "%.2f" : "%.3f", v);
  }
}
