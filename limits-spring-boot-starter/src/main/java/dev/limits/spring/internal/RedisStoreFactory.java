package dev.limits.spring.internal;

import dev.limits.spi.UsageCounter;
import java.lang.reflect.InvocationTargetException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.util.ClassUtils;

/**
 * Builds limits-redis's store by name, so that the starter compiles and runs without limits-redis: it calls
 * {@code RedisUsageCounter.builder(RedisClient)} and then {@code build()}.
 */
public final class RedisStoreFactory {

  /** The store of limits-redis. */
  public static final String STORE_CLASS = "dev.limits.redis.RedisUsageCounter";
  /** The Lettuce client it runs on. */
  public static final String CLIENT_CLASS = "io.lettuce.core.RedisClient";

  private RedisStoreFactory() {}

  /**
   * Builds the store on the application's Lettuce client.
   *
   * @param beans where the client bean is
   * @return the store
   * @throws IllegalStateException if limits-redis does not offer {@code builder(RedisClient)} and {@code build()}
   */
  public static UsageCounter create(BeanFactory beans) {
    ClassLoader loader = RedisStoreFactory.class.getClassLoader();
    try {
      Class<?> clientType = ClassUtils.forName(CLIENT_CLASS, loader);
      Class<?> storeType = ClassUtils.forName(STORE_CLASS, loader);
      Object client = beans.getBean(clientType);
      Object builder = storeType.getMethod("builder", clientType).invoke(null, client);
      return (UsageCounter) builder.getClass().getMethod("build").invoke(builder);
    } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException e) {
      throw new IllegalStateException("cannot build " + STORE_CLASS + " from its builder(" + CLIENT_CLASS
          + "): " + e, e);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new IllegalStateException("cannot build " + STORE_CLASS + ": " + cause, cause);
    }
  }
}
