package dev.limits.benchmarks;

import dev.limits.benchmarks.MarkdownTable.Row;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The markdown tables of the JDBC benchmarks, each method against its own baseline: on PostgreSQL ours
 * ({@code limits}) against Bucket4j's proxy manager ({@code bucket4j}) and against the floors ({@code update},
 * {@code update6}, {@code select1}); ours on H2; and the scale run with a million subjects in the table
 * against a thousand. Last, the targets with the ratios they are judged by. CPU times are client plus server
 * ({@link CpuTimeProfiler}), in ns per operation.
 */
final class DatabaseTables {

  private DatabaseTables() {}

  static boolean isDatabase(String scenario) {
    return scenario.startsWith("Postgres") || scenario.startsWith("H2");
  }

  /** The results of one scenario and parameter set, by method. */
  private record Group(String scenario, int threads, String params, Map<String, Row> rows) {
    @Nullable Row get(String method) {
      return rows.get(method);
    }
  }

  @SuppressWarnings("unchecked")
  static String render(List<Object> results) {
    Map<String, Group> groups = new LinkedHashMap<>();
    for (Object o : results) {
      Map<String, Object> r = (Map<String, Object>) o;
      String scenario = MarkdownTable.scenario((String) MarkdownTable.field(r, "benchmark"));
      int threads = (int) Json.number(MarkdownTable.field(r, "threads"));
      Map<String, Object> params = (Map<String, Object>) r.getOrDefault("params", Map.of());
      String joined = String.join(", ", params.values().stream().map(String::valueOf).toList());
      String p = joined.isEmpty() && scenario.equals("PostgresHotLimit8Threads") ? "hot, at the limit" : joined;
      Row row = MarkdownTable.row(r);
      groups.computeIfAbsent(scenario + "|" + p, k -> new Group(scenario, threads, p, new LinkedHashMap<>()))
          .rows().put(row.method(), row);
    }
    List<Group> postgres = new ArrayList<>();
    List<Group> h2 = new ArrayList<>();
    Map<String, Group> scale = new LinkedHashMap<>();
    List<Group> subjects = new ArrayList<>();
    for (Group g : groups.values()) {
      if (g.scenario().startsWith("PostgresSubjects")) {
        subjects.add(g);
      } else if (g.scenario().startsWith("PostgresScale")) {
        scale.put(g.params(), g);
      } else if (g.scenario().startsWith("Postgres")) {
        postgres.add(g);
      } else {
        h2.add(g);
      }
    }
    StringBuilder md = new StringBuilder();
    if (!postgres.isEmpty()) {
      postgres(md, postgres);
    }
    if (!h2.isEmpty()) {
      h2(md, h2);
    }
    if (!scale.isEmpty()) {
      scale(md, scale);
    }
    if (!subjects.isEmpty()) {
      subjects(md, subjects);
    }
    targets(md, postgres, scale, subjects);
    return md.toString();
  }

  private static void postgres(StringBuilder md, List<Group> groups) {
    md.append("PostgreSQL, ours (`limits`) against Bucket4j's select-for-update proxy manager (`bucket4j`) and ")
        .append("the floors (`update`: an autocommitted single-row UPDATE; `update6`: the same for the 6 rows of ")
        .append("an id, one per window, as our table holds a consume's counters; `select1`: a round trip), the ")
        .append("same embedded server and pool; throughput (ops/s, mean ± 99.9% error) and the ratios the issue ")
        .append("asks for (latency ratio = the floor's throughput over ours at the same thread count):\n\n");
    header(md, 3, "scenario", "threads", "subjects", "limits (ops/s)", "bucket4j (ops/s)", "update (ops/s)",
        "update6 (ops/s)", "select1 (ops/s)", "limits ÷ bucket4j (ops/s)", "limits latency ÷ update latency",
        "update6 latency ÷ update latency");
    for (Group g : groups) {
      Row limits = g.get("limits");
      Row bucket = g.get("bucket4j");
      Row update = g.get("update");
      Row update6 = g.get("update6");
      line(md, g.scenario(), Integer.toString(g.threads()), g.params(), score(limits), score(bucket),
          score(update), score(update6), score(g.get("select1")), ratio(limits, bucket, false),
          ratio(update, limits, false), ratio(update, update6, false));
    }
    md.append("\nCost per operation: CPU time of client + server, ns/op (the server's part in brackets), ")
        .append("and the client's allocation; the ratio is the other side's CPU time over ours, so above 1 ")
        .append("means ours is cheaper:\n\n");
    header(md, 3, "scenario", "threads", "subjects", "limits CPU ns/op", "bucket4j CPU ns/op", "update CPU ns/op",
        "update6 CPU ns/op", "select1 CPU ns/op", "bucket4j ÷ limits (CPU)", "limits ÷ update (CPU)",
        "update6 ÷ update (CPU)", "limits B/op", "bucket4j B/op");
    for (Group g : groups) {
      Row limits = g.get("limits");
      Row bucket = g.get("bucket4j");
      Row update = g.get("update");
      Row update6 = g.get("update6");
      line(md, g.scenario(), Integer.toString(g.threads()), g.params(), cpu(limits), cpu(bucket), cpu(update),
          cpu(update6), cpu(g.get("select1")), ratio(bucket, limits, true), ratio(limits, update, true),
          ratio(update6, update, true), alloc(limits), alloc(bucket));
    }
  }

  private static void h2(StringBuilder md, List<Group> groups) {
    md.append("\nH2 in memory (embedded, the same pool), ours only (Bucket4j has no H2 proxy manager):\n\n");
    header(md, 3, "scenario", "threads", "subjects", "limits (ops/s)", "limits CPU ns/op", "limits B/op");
    for (Group g : groups) {
      Row limits = g.get("limits");
      line(md, g.scenario(), Integer.toString(g.threads()), g.params(), score(limits), cpu(limits),
          alloc(limits));
    }
  }

  private static void scale(StringBuilder md, Map<String, Group> byRows) {
    Group small = byRows.get("1000");
    Group large = byRows.get("1000000");
    md.append("\nScale: our PostgreSQL consume (1 thread, a plan of 1 window) with 1 thousand and with 1 million ")
        .append("subjects already in the counter table; the cost per operation should not depend on it:\n\n");
    header(md, 2, "scenario", "threads", "1k rows (ops/s)", "1M rows (ops/s)", "1M ÷ 1k (ops/s)",
        "1k rows CPU ns/op", "1M rows CPU ns/op", "1M ÷ 1k (CPU)");
    Row s = small == null ? null : small.get("limits");
    Row l = large == null ? null : large.get("limits");
    Group any = small != null ? small : large;
    line(md, any == null ? "" : any.scenario(), any == null ? "" : Integer.toString(any.threads()), score(s),
        score(l), ratio(l, s, false), cpu(s), cpu(l), ratio(l, s, true));
  }

  private static void subjects(StringBuilder md, List<Group> groups) {
    md.append("\nSeveral subjects: our PostgreSQL consume (through the counter, 1 thread, spread) of a user's 6 ")
        .append("windows alone (`oneSubject`) and with the user's organisation's token pool and cost budget ")
        .append("(`userAndOrganisation`, 8 cells of 2 subjects, all or nothing); the ratio is the second's cost ")
        .append("over the first's:\n\n");
    header(md, 2, "scenario", "threads", "one subject (ops/s)", "user and organisation (ops/s)",
        "one ÷ both (ops/s)", "one subject CPU ns/op", "user and organisation CPU ns/op", "both ÷ one (CPU)",
        "one subject B/op", "user and organisation B/op");
    for (Group g : groups) {
      Row one = g.get("oneSubject");
      Row both = g.get("userAndOrganisation");
      line(md, g.scenario(), Integer.toString(g.threads()), score(one), score(both), ratio(one, both, false),
          cpu(one), cpu(both), ratio(both, one, true), alloc(one), alloc(both));
    }
  }

  private static void targets(StringBuilder md, List<Group> postgres, Map<String, Group> scale,
      List<Group> subjects) {
    Group spread8 = find(postgres, "Postgres8Threads", "spread");
    Group hot8 = find(postgres, "Postgres8Threads", "hot");
    Group spread1 = find(postgres, "Postgres1Thread", "spread");
    Group several = find(subjects, "PostgresSubjects1Thread", "");
    if (spread8 == null && hot8 == null && spread1 == null && scale.size() < 2 && several == null) {
      return; // a run of other benchmarks
    }
    md.append("\nThe issue's targets:\n\n");
    header(md, 1, "target", "ops/s ratio", "CPU ratio", "met?");
    if (spread8 != null) {
      Row l = spread8.get("limits");
      Row b = spread8.get("bucket4j");
      target(md, "PostgreSQL, 8 threads, spread: ours ≥ 3× Bucket4j", ratio(l, b, false), ratio(b, l, true),
          value(l, b, false) >= 3, value(b, l, true) >= 3);
    }
    if (spread1 != null) {
      Row l = spread1.get("limits");
      Row u = spread1.get("update");
      target(md, "PostgreSQL, 1 thread, spread: our latency ≤ 1.2× the UPDATE floor's", ratio(u, l, false),
          ratio(l, u, true) + " (CPU, ours ÷ floor)", value(u, l, false) <= 1.2, value(l, u, true) <= 1.2);
      Row u6 = spread1.get("update6");
      if (u6 != null) {
        line(md, "… for reference, the 6-row floor (`update6`, no checks) against the same UPDATE floor",
            ratio(u, u6, false), ratio(u6, u, true) + " (CPU, update6 ÷ floor)", "");
      }
    }
    if (hot8 != null) {
      Row l = hot8.get("limits");
      Row b = hot8.get("bucket4j");
      target(md, "PostgreSQL, 8 threads, hot subject: ours ≥ 3× Bucket4j (overshoot: checked after every trial, "
          + "and at the limit by PostgresHotLimit8Threads; a mismatch fails the run)", ratio(l, b, false),
          ratio(b, l, true), value(l, b, false) >= 3, value(b, l, true) >= 3);
    }
    Group small = scale.get("1000");
    Group large = scale.get("1000000");
    if (small != null && large != null) {
      Row s = small.get("limits");
      Row l = large.get("limits");
      target(md, "Scale: 1M subjects cost what 1k cost (1M ÷ 1k within 0.8 to 1.25)", ratio(l, s, false),
          ratio(l, s, true), Math.abs(Math.log(value(l, s, false))) <= Math.log(1.25),
          Math.abs(Math.log(value(l, s, true))) <= Math.log(1.25));
    }
    if (several != null) {
      Row one = several.get("oneSubject");
      Row both = several.get("userAndOrganisation");
      target(md, "PostgreSQL, a user and organisation consume costs at most 1.3× a single-subject one",
          ratio(one, both, false), ratio(both, one, true), value(one, both, false) <= 1.3,
          value(both, one, true) <= 1.3);
    }
  }

  private static void target(StringBuilder md, String what, String opsRatio, String cpuRatio, boolean opsMet,
      boolean cpuMet) {
    line(md, what, opsRatio, cpuRatio, "ops/s: " + (opsMet ? "yes" : "no") + "; CPU: " + (cpuMet ? "yes" : "no"));
  }

  private static @Nullable Group find(List<Group> groups, String scenario, String params) {
    for (Group g : groups) {
      if (g.scenario().equals(scenario) && g.params().equals(params)) {
        return g;
      }
    }
    return null;
  }

  /** a ÷ b of the throughputs, or of the CPU times; NaN if either is missing. */
  private static double value(@Nullable Row a, @Nullable Row b, boolean cpu) {
    if (a == null || b == null) {
      return Double.NaN;
    }
    return cpu ? a.cpuNs() / b.cpuNs() : a.score() / b.score();
  }

  private static String ratio(@Nullable Row a, @Nullable Row b, boolean cpu) {
    double v = value(a, b, cpu);
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "**%.2f×**", v);
  }

  private static String score(@Nullable Row r) {
    return r == null ? "" : MarkdownTable.fmt(r.score()) + " ± " + MarkdownTable.fmt(r.error());
  }

  private static String cpu(@Nullable Row r) {
    if (r == null) {
      return "";
    }
    return Double.isNaN(r.cpuServerNs()) ? MarkdownTable.fmt(r.cpuNs())
        : MarkdownTable.fmt(r.cpuNs()) + " (" + MarkdownTable.fmt(r.cpuServerNs()) + ")";
  }

  private static String alloc(@Nullable Row r) {
    return r == null || Double.isNaN(r.allocPerOp()) ? "" : String.format(Locale.ROOT, "%.0f", r.allocPerOp());
  }

  /** A header whose first {@code labels} columns are left-aligned labels, the others right-aligned numbers. */
  private static void header(StringBuilder md, int labels, String... columns) {
    md.append('|');
    for (String c : columns) {
      md.append(' ').append(c).append(" |");
    }
    md.append("\n|");
    for (int i = 0; i < columns.length; i++) {
      md.append(i < labels ? " --- |" : " ---: |");
    }
    md.append('\n');
  }

  private static void line(StringBuilder md, String... cells) {
    md.append('|');
    for (String c : cells) {
      md.append(' ').append(c).append(" |");
    }
    md.append('\n');
  }
}
