package dev.limits.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Wraps a data source and counts what reaches the database: statement executions (a batch counts once,
 * as the drivers send it in one go) and commits and rollbacks.
 */
final class CountingDataSource {

  final AtomicInteger executions = new AtomicInteger();
  final AtomicInteger commits = new AtomicInteger();
  /** The SQL of every statement prepared, in order. */
  final java.util.List<String> prepared = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
  final DataSource dataSource;

  CountingDataSource(DataSource target) {
    this.dataSource = proxy(DataSource.class, target, (method, args, result) -> {
      if (result instanceof Connection) {
        return proxy(Connection.class, result, this::connectionResult);
      }
      return result;
    });
  }

  void reset() {
    executions.set(0);
    commits.set(0);
    prepared.clear();
  }

  private Object connectionResult(Method method, Object[] args, Object result) {
    if (method.getName().equals("prepareStatement") && args != null && args[0] instanceof String) {
      prepared.add((String) args[0]);
    }
    if (method.getName().equals("commit") || method.getName().equals("rollback")) {
      commits.incrementAndGet();
    }
    if (result instanceof Statement) {
      Class<?> type = method.getReturnType();
      return proxy(type, result, (m, a, r) -> r);
    }
    return result;
  }

  private interface After {
    Object apply(Method method, Object[] args, Object result) throws Exception;
  }

  @SuppressWarnings("unchecked")
  private <T> T proxy(Class<T> type, Object target, After after) {
    InvocationHandler handler = (proxy, method, args) -> {
      if (method.getName().startsWith("execute")) {
        executions.incrementAndGet();
      }
      try {
        return after.apply(method, args, method.invoke(target, args));
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return (T) Proxy.newProxyInstance(CountingDataSource.class.getClassLoader(), new Class<?>[] {type}, handler);
  }
}
