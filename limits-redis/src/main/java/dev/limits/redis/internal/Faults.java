package dev.limits.redis.internal;

import dev.limits.spi.StorageException;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisLoadingException;

/**
 * What a failure of Lettuce means for the caller: a {@link StorageException} whose
 * {@link StorageException#outcomeUnknown()} says whether the operation may have taken effect.
 *
 * <p>Surely nothing happened when the command never left (not connected: a client with
 * {@code DisconnectedBehavior.REJECT_COMMANDS} rejects it at once; no connection could be made) or the server
 * refused it before running the script (still loading its data, busy with another script, a replica, the
 * Cluster down, out of memory). Anything else, above all a timeout or a connection that broke while the
 * command was on its way, may have been applied: the script may have run before the answer was lost.
 */
public final class Faults {

  private Faults() {}

  /**
   * Translates a failure.
   *
   * @param operation what was being done, for the message
   * @param failure   what Lettuce threw
   * @return the exception to throw
   */
  public static StorageException of(String operation, RedisException failure) {
    if (failure instanceof RedisCommandInterruptedException) {
      Thread.currentThread().interrupt();
    }
    boolean unknown = !surelyNotApplied(failure);
    String message = "Redis " + operation + " failed" + (unknown ? " (it may have been applied): " : ": ")
        + failure.getMessage();
    return new StorageException(message, failure, unknown);
  }

  static boolean surelyNotApplied(RedisException failure) {
    if (failure instanceof RedisCommandTimeoutException || failure instanceof RedisCommandInterruptedException) {
      return false;
    }
    if (failure instanceof RedisConnectionException || failure instanceof RedisLoadingException
        || failure instanceof RedisBusyException) {
      return true;
    }
    String message = String.valueOf(failure.getMessage());
    if (failure instanceof RedisCommandExecutionException) {
      // An error reply: the script ran and failed, or the server refused to run it.
      return message.startsWith("READONLY") || message.startsWith("CLUSTERDOWN") || message.startsWith("MASTERDOWN")
          || message.startsWith("TRYAGAIN") || message.startsWith("OOM") || message.startsWith("NOSCRIPT")
          || message.startsWith("MOVED") || message.startsWith("ASK") || message.startsWith("CROSSSLOT");
    }
    // Lettuce's own words for a command it did not send.
    return message.contains("Currently not connected") || message.contains("Commands are rejected");
  }
}
