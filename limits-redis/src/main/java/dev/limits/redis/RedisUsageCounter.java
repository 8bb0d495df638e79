package dev.limits.redis;

import dev.limits.redis.internal.Faults;
import dev.limits.redis.internal.Keys;
import dev.limits.redis.internal.Script;
import dev.limits.redis.internal.StoredCell;
import dev.limits.spi.Charge;
import dev.limits.spi.ConsumeRequest;
import dev.limits.spi.ConsumeResult;
import dev.limits.spi.SettleRequest;
import dev.limits.spi.SettleResult;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.StorageException;
import dev.limits.spi.UsageCounter;
import dev.limits.spi.WindowCell;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A {@link UsageCounter} on Redis or Redis Cluster, shared by every instance of an application: each
 * operation is one call of a Lua script, which Redis runs alone, so a consume reads every cell of its
 * request, applies every charge or none, and answers the usage in one round trip.
 *
 * <pre>{@code
 * RedisClient client = RedisClient.create("redis://localhost:6379");   // the application's own client
 * UsageCounter counter = RedisUsageCounter.builder(client)
 *     .timeout(Duration.ofMillis(500))                                  // each call answers within it
 *     .build();
 * Limiter limiter = Limiter.builder(counter).purgeEvery(Duration.ofMinutes(1), scheduler).build();
 * }</pre>
 *
 * <p><b>Keys.</b> A subject's cells are one hash, {@code limits:{user-42}c:user-42}, with a field per counter
 * key ({@code tokens@day}) holding {@code "lookback start end used"} in epoch milliseconds, and for a rolling
 * window {@code "start used"} of each earlier bucket that still counts; its operation ids are the hash
 * {@code limits:{user-42}o:user-42} and the sorted set {@code limits:{user-42}x:user-42} (by expiry). The
 * braces hold the hash tag, which is the subject's tenant ({@link Builder#tenantOf}), the subject itself by
 * default, so that every key of an operation lies in one Redis Cluster slot. A key expires after the latest
 * period of its cells ends (with the margin {@link Slot#calendarCellKeptUntil} asks for), so idle subjects
 * clean themselves up; {@link #purge} still refunds expired reservations and drops ended cells of subjects
 * that stay active, and it is the one operation that scans the key space.
 *
 * <p><b>Exact.</b> Lua's numbers are doubles, exact only up to 2<sup>53</sup>; the scripts carry every usage
 * as two exact parts, so any amount and limit a {@code long} allows is counted exactly, saturating at
 * {@link Long#MAX_VALUE} as every store does.
 *
 * <p><b>Failures</b> throw a {@link StorageException} whose {@link StorageException#outcomeUnknown()} is false
 * when the call surely changed nothing (not connected, or refused by the server before running the script)
 * and true when it may have been applied (a timeout, a connection lost on the way). Calls are not retried;
 * one with an operation id is safe to retry. A client this builder creates from a URI rejects commands while
 * it is disconnected; a host's client keeps its own {@link ClientOptions}. (A Cluster client had better keep
 * Lettuce's default, which holds commands until connected, within the timeout: with
 * {@code REJECT_COMMANDS} Lettuce also rejects a command whose slot's connection is still being opened.)
 *
 * <p>Thread-safe: one connection, shared by every thread (Lettuce pipelines their commands).
 *
 * @see UsageCounter
 */
public final class RedisUsageCounter implements UsageCounter, AutoCloseable {

  /** The prefix of every key unless {@link Builder#keyPrefix} sets another. */
  public static final String DEFAULT_PREFIX = "limits:";

  /** Each call's timeout unless {@link Builder#timeout} sets another. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  /** How long an operation id is kept past its expiry, so that purge can still refund a reservation. */
  private static final long OPERATION_GRACE_MS = 86_400_000L;

  private static final int SCAN_COUNT = 500;

  private final StatefulConnection<String, String> connection;
  private final RedisClusterCommands<String, String> commands;
  private final @Nullable AbstractRedisClient ownedClient;
  private final boolean cluster;
  private final Keys keys;

  private RedisUsageCounter(Builder builder) {
    AbstractRedisClient client = builder.client;
    if (client instanceof RedisClusterClient clusterClient) {
      StatefulRedisClusterConnection<String, String> c = clusterClient.connect(StringCodec.UTF8);
      this.connection = c;
      this.commands = c.sync();
      this.cluster = true;
    } else {
      StatefulRedisConnection<String, String> c = ((RedisClient) client).connect(StringCodec.UTF8);
      this.connection = c;
      this.commands = c.sync();
      this.cluster = false;
    }
    connection.setTimeout(builder.timeout);
    this.ownedClient = builder.owned ? client : null;
    this.keys = new Keys(builder.prefix, builder.tenantOf);
  }

  /**
   * Starts a counter on a standalone Redis server (or a replicated primary) through the application's client.
   * The counter opens one connection of its own, closed by {@link #close()}; the client stays the host's.
   *
   * @param client the application's Lettuce client
   * @return a builder
   * @throws NullPointerException if {@code client} is null
   */
  public static Builder builder(RedisClient client) {
    return new Builder(Objects.requireNonNull(client, "client"), false);
  }

  /**
   * Starts a counter on Redis Cluster through the application's client. The counter opens one connection of
   * its own, closed by {@link #close()}; the client stays the host's.
   *
   * @param client the application's Lettuce Cluster client
   * @return a builder
   * @throws NullPointerException if {@code client} is null
   */
  public static Builder builder(RedisClusterClient client) {
    return new Builder(Objects.requireNonNull(client, "client"), false);
  }

  /**
   * Starts a counter on a standalone Redis server given by a URI such as {@code redis://host:6379/0}. The
   * counter creates its own client, which rejects commands while it is disconnected (so that a call made
   * then fails at once, surely not applied), and shuts it down on {@link #close()}.
   *
   * @param uri a Redis URI
   * @return a builder
   * @throws NullPointerException     if {@code uri} is null
   * @throws IllegalArgumentException if it is not a Redis URI
   */
  public static Builder builder(String uri) {
    RedisURI parsed = RedisURI.create(Objects.requireNonNull(uri, "uri"));
    RedisClient client = RedisClient.create(parsed);
    client.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
    return new Builder(client, true);
  }

  /** {@return the prefix of every key of this counter} */
  public String keyPrefix() {
    return keys.prefix();
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if, on Redis Cluster, the request's subjects fall in different hash
   *                                  slots (give them one tenant, see {@link Builder#tenantOf})
   */
  @Override
  public ConsumeResult consume(ConsumeRequest request) {
    Objects.requireNonNull(request, "request");
    List<String> subjects = request.subjects();
    int m = subjects.size();
    if (cluster && m > 1) {
      keys.requireOneSlot(subjects);
    }
    List<Charge> charges = request.charges();
    int n = charges.size();
    long now = request.now();
    String[] redisKeys = new String[2 + m];
    String owner = request.subject();
    redisKeys[0] = keys.operations(owner);
    redisKeys[1] = keys.expiries(owner);
    long[] keptUntil = new long[m];
    Arrays.fill(keptUntil, Long.MIN_VALUE);
    for (int j = 0; j < m; j++) {
      redisKeys[2 + j] = keys.cells(subjects.get(j));
    }
    for (int i = 0; i < n; i++) {
      int j = charges.get(i).subject();
      keptUntil[j] = Math.max(keptUntil[j], keptUntil(charges.get(i).slot()));
    }
    String id = request.operationId();
    String[] args = new String[6 + 2 * m - 1 + 7 * n];
    args[0] = Integer.toString(request.mode().code());
    args[1] = id == null ? "" : id;
    args[2] = Long.toString(request.fingerprint());
    args[3] = Long.toString(request.expiresAt());
    args[4] = Long.toString(operationTtl(request.expiresAt(), now));
    args[5] = Integer.toString(m);
    for (int j = 0; j < m; j++) {
      args[6 + j] = Long.toString(ttl(keptUntil[j], now));
    }
    for (int j = 1; j < m; j++) {
      args[6 + m + j - 1] = subjects.get(j);
    }
    int a = 6 + 2 * m - 1;
    for (int i = 0; i < n; i++) {
      Charge charge = charges.get(i);
      Slot slot = charge.slot();
      args[a++] = Integer.toString(charge.subject() + 1);
      args[a++] = slot.key();
      args[a++] = Long.toString(slot.start());
      args[a++] = Long.toString(slot.end());
      args[a++] = Integer.toString(slot.lookback());
      args[a++] = Long.toString(charge.limit());
      args[a++] = Long.toString(charge.amount());
    }
    List<Object> answer;
    try {
      answer = Script.CONSUME.list(commands, redisKeys, args);
    } catch (RedisException e) {
      throw Faults.of("consume", e);
    }
    long[] used = new long[n];
    boolean[] fits = new boolean[n];
    for (int i = 0; i < n; i++) {
      used[i] = Long.parseLong((String) answer.get(1 + 2 * i));
      fits[i] = ((Long) answer.get(2 + 2 * i)) == 1L;
    }
    return ConsumeResult.of(ConsumeResult.Status.ofCode(((Long) answer.get(0)).intValue()), used, fits);
  }

  /**
   * Until when a cell of {@code slot} is kept: a calendar cell as purge keeps it, a rolling one while it
   * counts ({@link WindowCell#keptUntil} of a cell that holds just the slot).
   */
  private static long keptUntil(Slot slot) {
    if (slot.isRolling()) {
      return WindowCell.saturatedAdd(slot.end(), WindowCell.saturatedMultiply(slot.lookback(), slot.length()));
    }
    return Slot.calendarCellKeptUntil(slot.start(), slot.end());
  }

  /** A key's time to live in milliseconds for data kept until {@code until}, at least a day; -1 for ever. */
  private static long ttl(long until, long now) {
    if (until == Long.MAX_VALUE) {
      return -1;
    }
    long left = until - now;
    return left < 0 || left < OPERATION_GRACE_MS ? OPERATION_GRACE_MS : left;
  }

  private static long operationTtl(long expiresAt, long now) {
    long left = expiresAt - now;
    if (left < 0) {
      left = 0;
    }
    return left > Long.MAX_VALUE - OPERATION_GRACE_MS ? -1 : left + OPERATION_GRACE_MS;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if the number of final amounts differs from the reservation's charges
   */
  @Override
  public SettleResult settle(SettleRequest request) {
    Objects.requireNonNull(request, "request");
    String[] args = new String[3 + request.size()];
    args[0] = request.operationId();
    args[2] = "";
    for (int i = 0; i < request.size(); i++) {
      args[3 + i] = Long.toString(request.finalAmount(i));
    }
    List<Object> answer;
    try {
      answer = settleScript(request.subject(), args);
    } catch (RedisException e) {
      throw Faults.of("settle", e);
    }
    int code = ((Long) answer.get(0)).intValue();
    switch (code) {
      case 0: return SettleResult.SETTLED;
      case 1: return SettleResult.ALREADY_SETTLED;
      case 2: return SettleResult.CANCELLED;
      case 3: return SettleResult.NOT_FOUND;
      case 4: throw new IllegalArgumentException("reservation '" + request.operationId() + "' has "
          + answer.get(1) + " charges, got " + request.size() + " final amounts");
      default: throw new StorageException("unexpected answer of the settle script: " + answer, 
          new IllegalStateException(String.valueOf(answer)), false);
    }
  }

  /**
   * Runs settle.lua for the reservation of {@code owner}, with the cell hashes of its later subjects when it
   * has any: the first call names the owner's only, and a reservation of several subjects answers their ids
   * (changing nothing), so a second call names every one.
   */
  private List<Object> settleScript(String owner, String[] args) {
    List<String> subjects = List.of(owner);
    while (true) {
      String[] redisKeys = new String[2 + subjects.size()];
      redisKeys[0] = keys.operations(owner);
      redisKeys[1] = keys.expiries(owner);
      for (int j = 0; j < subjects.size(); j++) {
        redisKeys[2 + j] = keys.cells(subjects.get(j));
      }
      args[1] = Integer.toString(subjects.size());
      List<Object> answer = Script.SETTLE.list(commands, redisKeys, args);
      if (((Long) answer.get(0)) != 5L || subjects.size() > 1) {
        return answer;
      }
      List<String> all = new ArrayList<>();
      all.add(owner);
      for (int j = 1; j < answer.size(); j++) {
        all.add((String) answer.get(j));
      }
      if (cluster) {
        keys.requireOneSlot(all);
      }
      subjects = all;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>One HGETALL of the subject's cells, read with {@link WindowCell}'s arithmetic.
   */
  @Override
  public List<SlotUsage> snapshot(String subject, long now) {
    ConsumeRequest.requireSubject(subject);
    Map<String, String> stored;
    try {
      stored = commands.hgetall(keys.cells(subject));
    } catch (RedisException e) {
      throw Faults.of("snapshot", e);
    }
    List<SlotUsage> result = new ArrayList<>(stored.size());
    for (Map.Entry<String, String> field : stored.entrySet()) {
      StoredCell cell = StoredCell.parse(field.getValue());
      if (!cell.expiredAt(now)) {
        result.add(new SlotUsage(field.getKey(), cell.start(), cell.usedAt(now)));
      }
    }
    return result;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Scans the counter's keys (on every primary of a Cluster) with SCAN, then per subject reads its cells
   * and drops those that can no longer count with one script call (each only if unchanged since it was
   * read), and refunds or forgets each expired operation id with another, each exactly once however many
   * instances purge at once.
   */
  @Override
  public int purge(long now, int maxItems) {
    if (maxItems < 1) {
      throw new IllegalArgumentException("maxItems must be at least 1, got " + maxItems);
    }
    int handled = 0;
    ScanArgs match = ScanArgs.Builder.matches(glob(keys.prefix()) + "{*").limit(SCAN_COUNT);
    try {
      KeyScanCursor<String> cursor = commands.scan(match);
      while (true) {
        for (String key : cursor.getKeys()) {
          if (handled >= maxItems) {
            return handled;
          }
          char kind = keys.kind(key);
          if (kind == 'c') {
            handled += purgeCells(key, now, maxItems - handled);
          } else if (kind == 'x') {
            handled += purgeOperations(key, now, maxItems - handled);
          }
        }
        if (cursor.isFinished() || handled >= maxItems) {
          return handled;
        }
        cursor = commands.scan(cursor, match);
      }
    } catch (RedisException e) {
      throw Faults.of("purge", e);
    }
  }

  /**
   * Drops the cells of one subject that no slot can count any more ({@link WindowCell#keptUntil}), at most
   * {@code max}: Java reads and decides, a script drops each one that still holds what was read.
   */
  private int purgeCells(String cellsKey, long now, int max) {
    List<String> args = new ArrayList<>();
    for (Map.Entry<String, String> field : commands.hgetall(cellsKey).entrySet()) {
      if (args.size() / 2 < max && StoredCell.parse(field.getValue()).droppableAt(now)) {
        args.add(field.getKey());
        args.add(field.getValue());
      }
    }
    if (args.isEmpty()) {
      return 0;
    }
    return (int) Script.DROP.integer(commands, new String[] {cellsKey}, args.toArray(new String[0]));
  }

  private int purgeOperations(String expiriesKey, long now, int max) {
    List<String> ids = commands.zrangebyscore(expiriesKey, Range.create(Double.NEGATIVE_INFINITY, (double) now),
        Limit.create(0, max));
    String cellsKey = keys.sibling(expiriesKey, 'c');
    String owner = cellsKey.substring(cellsKey.indexOf('}', keys.prefix().length()) + 3);
    int handled = 0;
    for (String id : ids) {
      List<Object> answer = settleScript(owner, new String[] {id, "1", Long.toString(now)});
      if (((Long) answer.get(0)) == 6L) {
        handled++;
      }
    }
    return handled;
  }

  /** {@code text} with the glob characters of SCAN's MATCH escaped. */
  private static String glob(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 4);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  /** Closes the counter's connection, and the client if the counter created it from a URI. */
  @Override
  public void close() {
    connection.close();
    if (ownedClient != null) {
      ownedClient.shutdown();
    }
  }

  /**
   * Builds a {@link RedisUsageCounter}. Each setter checks its argument at once. Not thread-safe.
   */
  public static final class Builder {
    private final AbstractRedisClient client;
    private final boolean owned;
    private String prefix = DEFAULT_PREFIX;
    private Function<String, String> tenantOf = Function.identity();
    private Duration timeout = DEFAULT_TIMEOUT;

    private Builder(AbstractRedisClient client, boolean owned) {
      this.client = client;
      this.owned = owned;
    }

    /**
     * Sets the prefix of every key, {@value RedisUsageCounter#DEFAULT_PREFIX} by default: several
     * applications (or environments) can share one Redis under different prefixes.
     *
     * @param prefix the prefix; may be empty; no brace nor control character
     * @return this builder
     * @throws NullPointerException     if {@code prefix} is null
     * @throws IllegalArgumentException if it has a brace or a control character
     */
    public Builder keyPrefix(String prefix) {
      this.prefix = Keys.requirePrefix(prefix);
      return this;
    }

    /**
     * Sets the tenant of each subject: the hash tag of its keys, so that on Redis Cluster the keys of
     * subjects with one tenant lie in one slot. The subject itself by default, which spreads subjects
     * evenly over the Cluster. A request that charges several subjects at once (a user and the
     * organisation whose budget the user draws on) must find them all in one slot, so such an application
     * maps a user to its organisation, say {@code subject -> organisationOf(subject)}. The trade-off: every
     * key of one tenant sits on one Cluster node, so a large tenant is a hot spot that more nodes do not
     * relieve. The function must be stable: a subject whose tenant changes starts with fresh keys (its usage
     * so far stays under the old tenant until it expires). On a standalone server it only names the keys.
     *
     * @param tenantOf the tenant of a subject, never null nor empty
     * @return this builder
     * @throws NullPointerException if {@code tenantOf} is null
     */
    public Builder tenantOf(Function<String, String> tenantOf) {
      this.tenantOf = Objects.requireNonNull(tenantOf, "tenantOf");
      return this;
    }

    /**
     * Sets how long each call may take before it fails with a {@link StorageException} whose outcome is
     * unknown; {@link RedisUsageCounter#DEFAULT_TIMEOUT} by default.
     *
     * @param timeout a positive duration
     * @return this builder
     * @throws NullPointerException     if {@code timeout} is null
     * @throws IllegalArgumentException if it is zero or negative
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must be positive, got " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Connects and builds the counter.
     *
     * @return the counter
     * @throws StorageException if the connection cannot be made
     */
    public RedisUsageCounter build() {
      try {
        return new RedisUsageCounter(this);
      } catch (RedisException e) {
        throw Faults.of("connect", e);
      }
    }
  }
}
