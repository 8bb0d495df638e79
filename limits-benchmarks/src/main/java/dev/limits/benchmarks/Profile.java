package dev.limits.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The short profile: every benchmark once, as its annotations say (one fork, short iterations), with the gc
 * and CPU-time profilers, in about seven minutes on two cores. Writes
 * {@code jmh-result.json} and {@code jmh-result.md} (see {@link MarkdownTable}) to
 * {@code limits-benchmarks/target/}, or to the directory named by {@code -Dlimits.bench.out}.
 *
 * <p>Any JMH option given on the command line wins over the profile's defaults, for example a benchmark
 * regex ({@code Allowed1Thread}) or longer iterations ({@code -r 3s}).
 */
public final class Profile {

  private Profile() {}

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
    new Runner(options.build()).run();

    Path written = Path.of(cli.getResult().orElse(json.toString()));
    String table = MarkdownTable.render(Files.readString(written, StandardCharsets.UTF_8), "bucket4j");
    Files.writeString(md, table, StandardCharsets.UTF_8);
    System.out.println();
    System.out.print(table);
    System.out.println();
    System.out.println("JSON: " + written + "\nmarkdown: " + md);
  }
}
