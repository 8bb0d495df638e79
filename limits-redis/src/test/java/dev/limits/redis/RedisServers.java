package dev.limits.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Redis servers for the tests: Debian's {@code redis-server} (7.0), started on random free ports in a
 * temporary directory, without persistence, and stopped when the JVM exits. One standalone server and one
 * Cluster of three primaries are shared by the test classes of a run; a test that kills a server starts its
 * own ({@link #start()}).
 */
final class RedisServers {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private static Server standalone;
  private static List<Server> cluster;

  private RedisServers() {}

  /** One redis-server process. */
  static final class Server {
    final int port;
    final Path dir;
    final List<String> extra;
    Process process;

    Server(int port, Path dir, List<String> extra) {
      this.port = port;
      this.dir = dir;
      this.extra = extra;
    }

    synchronized void start() {
      List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
          "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
          "--daemonize", "no", "--loglevel", "warning"));
      command.addAll(extra);
      try {
        process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start redis-server (apt-get install redis-server)", e);
      }
      awaitPing();
    }

    /** Kills the server at once, as a crash would. */
    synchronized void kill() {
      if (process != null) {
        process.destroyForcibly();
        try {
          process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        process = null;
      }
    }

    String uri() {
      return "redis://127.0.0.1:" + port;
    }

    private void awaitPing() {
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (true) {
        try {
          String out = cli(port, "PING");
          if (out.contains("PONG")) {
            return;
          }
        } catch (RuntimeException e) {
          // not up yet
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("redis-server on port " + port + " did not start");
        }
        pause();
      }
    }
  }

  /** Starts a fresh standalone server of one test's own. */
  static Server start() {
    return start(List.of());
  }

  /** Starts a fresh standalone server of one test's own, with extra arguments (such as persistence). */
  static Server start(List<String> extra) {
    Server server = new Server(freePort(), tempDir(), extra);
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::kill));
    return server;
  }

  /** The shared standalone server. */
  static synchronized Server standalone() {
    if (standalone == null) {
      standalone = start();
    }
    return standalone;
  }

  /** The shared Cluster of three primaries, every slot assigned. */
  static synchronized List<Server> cluster() {
    if (cluster == null) {
      cluster = startCluster(List.of());
    }
    return cluster;
  }

  /** Starts a Cluster of three primaries of one test's own, with extra arguments for each node. */
  static List<Server> startCluster(List<String> extra) {
    List<Server> nodes = new ArrayList<>();
    Path dir = tempDir();
    List<String> create = new ArrayList<>(List.of("--cluster", "create"));
    for (int i = 0; i < 3; i++) {
      int port = freePort();
      Path nodeDir = dir.resolve("node-" + port);
      try {
        Files.createDirectories(nodeDir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      List<String> args = new ArrayList<>(List.of("--cluster-enabled", "yes", "--cluster-config-file",
          nodeDir.resolve("nodes.conf").toString(), "--cluster-node-timeout", "5000"));
      args.addAll(extra);
      Server node = new Server(port, nodeDir, args);
      node.start();
      Runtime.getRuntime().addShutdownHook(new Thread(node::kill));
      nodes.add(node);
      create.add("127.0.0.1:" + port);
    }
    create.add("--cluster-replicas");
    create.add("0");
    create.add("--cluster-yes");
    cli(nodes.get(0).port, create.toArray(new String[0]));
    for (Server node : nodes) {
      awaitClusterOk(node);
    }
    return nodes;
  }

  /** Waits until a Cluster node says every slot is served. */
  static void awaitClusterOk(Server node) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!cli(node.port, "CLUSTER", "INFO").contains("cluster_state:ok")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the cluster did not come up: " + cli(node.port, "CLUSTER", "INFO"));
      }
      pause();
    }
  }

  /** A client of a Cluster. */
  static RedisClusterClient clusterClient(List<Server> nodes) {
    List<RedisURI> uris = new ArrayList<>();
    for (Server node : nodes) {
      uris.add(RedisURI.create(node.uri()));
    }
    // The default disconnected behaviour: with REJECT_COMMANDS, Lettuce also rejects a command whose slot's
    // connection is still being opened.
    return RedisClusterClient.create(uris);
  }

  /** A client of the shared standalone server that rejects commands while disconnected. */
  static RedisClient standaloneClient() {
    RedisClient client = RedisClient.create(standalone().uri());
    client.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
    return client;
  }

  /** A client of the shared Cluster. */
  static RedisClusterClient clusterClient() {
    return clusterClient(cluster());
  }

  /** Runs redis-cli against a port and answers its output. */
  static String cli(int port, String... args) {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("redis-cli " + String.join(" ", args) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50); // waiting for a process to start, not for a race
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("limits-redis");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A port that is free, and so is the Cluster bus port 10000 above it. */
  private static int freePort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 50_000);
      if (free(port) && free(port + 10_000)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return socket.isBound();
    } catch (IOException e) {
      return false;
    }
  }
}
