package dev.limits.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The short profile: every benchmark once, with the gc profiler, in about seven minutes. Six one-second
 * warmup iterations, because on a loaded two-core machine the JIT needs that long to reach steady state. Writes
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
    if (!cli.getForkCount().hasValue()) {
      options.forks(1);
    }
    if (!cli.getWarmupIterations().hasValue()) {
      options.warmupIterations(6);
    }
    if (!cli.getWarmupTime().hasValue()) {
      options.warmupTime(TimeValue.seconds(1));
    }
    if (!cli.getMeasurementIterations().hasValue()) {
      options.measurementIterations(4);
    }
    if (!cli.getMeasurementTime().hasValue()) {
      options.measurementTime(TimeValue.seconds(1));
    }
    if (!cli.getTimeUnit().hasValue()) {
      options.timeUnit(TimeUnit.MICROSECONDS);
    }
    if (cli.getProfilers().isEmpty()) {
      options.addProfiler(GCProfiler.class);
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
