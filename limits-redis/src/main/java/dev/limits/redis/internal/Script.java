package dev.limits.redis.internal;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One Lua script of the counter: for a consume and a settle, {@code cell.lua}, the cell arithmetic they
 * share, followed by the operation's own body. Runs with EVALSHA; a server that does not know the script yet (a restart, a new
 * Cluster node, SCRIPT FLUSH) answers NOSCRIPT, and the script is sent whole with EVAL, which also caches it
 * there. Immutable and thread-safe.
 */
public final class Script {

  /** UsageCounter.consume. */
  public static final Script CONSUME = new Script(read("cell.lua") + "\n" + read("consume.lua"));
  /** UsageCounter.settle, and purge's refund of an expired reservation. */
  public static final Script SETTLE = new Script(read("cell.lua") + "\n" + read("settle.lua"));
  /** UsageCounter.purge of the cells of one subject that Java found droppable. */
  public static final Script DROP = new Script(read("drop.lua"));

  private final String source;
  private final String sha;

  private Script(String source) {
    this.source = source;
    this.sha = sha1(source);
  }

  private static String read(String name) {
    try (InputStream in = Objects.requireNonNull(Script.class.getResourceAsStream(name), name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing", e);
    }
  }

  /** {@return the SHA-1 that EVALSHA names the script by} */
  public String sha() {
    return sha;
  }

  /**
   * Runs the script, which answers a list (strings and integers): EVALSHA, or EVAL if the server does not
   * know it.
   *
   * @param commands the connection's commands (standalone or Cluster)
   * @param keys     the keys it touches, all in one hash slot
   * @param args     its arguments
   * @return its answer
   */
  public List<Object> list(RedisClusterCommands<String, String> commands, String[] keys, String... args) {
    return run(commands, ScriptOutputType.MULTI, keys, args);
  }

  /**
   * Runs the script, which answers an integer: EVALSHA, or EVAL if the server does not know it.
   *
   * @param commands the connection's commands (standalone or Cluster)
   * @param keys     the keys it touches, all in one hash slot
   * @param args     its arguments
   * @return its answer
   */
  public long integer(RedisClusterCommands<String, String> commands, String[] keys, String... args) {
    Long answer = run(commands, ScriptOutputType.INTEGER, keys, args);
    return answer;
  }

  @SuppressWarnings("TypeParameterUnusedInFormals") // the output type decides T; two typed entry points above
  private <T> T run(RedisClusterCommands<String, String> commands, ScriptOutputType type, String[] keys,
      String... args) {
    try {
      return commands.evalsha(sha, type, keys, args);
    } catch (RedisNoScriptException e) {
      return commands.eval(source, type, keys, args);
    }
  }
}
