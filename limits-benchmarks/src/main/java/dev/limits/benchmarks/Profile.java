package dev.limits.benchmarks;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The short profile: every benchmark once, as its annotations say (one fork, short iterations), with the gc
 * and CPU-time profilers, in about seven minutes on two cores. Writes
 * {@code jmh-result.json} and {@code jmh-result.md} (see {@link MarkdownTable}) to
 * {@code limits-benchmarks/target/}, or to the directory named by {@code -Dlimits.bench.out}. When a
 * PostgreSQL benchmark is selected it starts one embedded PostgreSQL server (data in {@code pg-data} there,
 * deleted at the end) and hands it to every fork ({@link Db}), so that all of them use the same server.
 *
 * <p>Any JMH option given on the command line wins over the profile's defaults, for example a benchmark
 * regex ({@code Allowed1Thread}) or longer iterations ({@code -r 3s}).
 */
public final class Profile {

  private Profile() {}

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      }
    }
  }

  /** Whether any benchmark the options select is a PostgreSQL one. */
  private static boolean needsPostgres(CommandLineOptions cli) {
    List<String> includes = cli.getIncludes().isEmpty() ? List.of("dev\\.limits\\.benchmarks\\..*")
        : cli.getIncludes();
    return BenchmarkList.defaultList().find(OutputFormatFactory.createFormatInstance(System.out,
        VerboseMode.SILENT), includes, cli.getExcludes()).stream()
        .anyMatch(b -> b.getUsername().contains(".Postgres"));
  }

  public static void main(String[] args) throws IOException, RunnerException, CommandLineOptionException {
    CommandLineOptions cli = new CommandLineOptions(args);
    Path dir = Path.of(System.getProperty("limits.bench.out", "limits-benchmarks/target"));
    Files.createDirectories(dir);
    Path json = dir.resolve("jmh-result.json");
    Path md = dir.resolve("jmh-result.md");

    ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
    if (cli.getIncludes().isEmpty()) {
      options.include("dev\\.limits\\.benchmarks\\..*");
    }
    if (cli.getProfilers().isEmpty()) {
      options.addProfiler(GCProfiler.class);
      options.addProfiler(CpuTimeProfiler.class);
    }
    if (!cli.getResult().hasValue()) {
      options.result(json.toString());
    }
    if (!cli.getResultFormat().hasValue()) {
      options.resultFormat(ResultFormatType.JSON);
    }
    // One PostgreSQL server for every fork that needs one, started here rather than once per benchmark.
    EmbeddedPostgres postgres = null;
    if (System.getProperty(Db.URL_PROPERTY) == null && needsPostgres(cli)) {
      Path data = dir.resolve("pg-data").toAbsolutePath();
      deleteTree(data); // left over by a run that was killed
      postgres = Db.startPostgres(data);
      List<String> forkArgs = new ArrayList<>(cli.getJvmArgsPrepend().orElse(List.of()));
      forkArgs.add("-D" + Db.URL_PROPERTY + "=" + Db.url(postgres));
      forkArgs.add("-D" + Db.PID_PROPERTY + "=" + Db.pid(data));
      // Prepend: the benchmarks' own @Fork(jvmArgsAppend) stays in force.
      options.jvmArgsPrepend(forkArgs.toArray(new String[0]));
      System.out.println("# embedded PostgreSQL for all forks: " + Db.url(postgres) + ", postmaster pid "
          + Db.pid(data));
    }
    try {
      new Runner(options.build()).run();
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }

    Path written = Path.of(cli.getResult().orElse(json.toString()));
    String table = MarkdownTable.render(Files.readString(written, StandardCharsets.UTF_8), "bucket4j");
    Files.writeString(md, table, StandardCharsets.UTF_8);
    System.out.println();
    System.out.print(table);
    System.out.println();
    System.out.println("JSON: " + written + "\nmarkdown: " + md);
  }
}
