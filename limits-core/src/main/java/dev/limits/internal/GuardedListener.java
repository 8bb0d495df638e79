package dev.limits.internal;

import dev.limits.Amounts;
import dev.limits.Decision;
import dev.limits.LimitListener;
import dev.limits.LimitPolicy;
import dev.limits.LimitRequest;
import dev.limits.Warning;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls user listeners, logging and swallowing their exceptions so they never break enforcement. */
public final class GuardedListener implements LimitListener {

  private static final Logger LOG = LoggerFactory.getLogger(GuardedListener.class);

  private final LimitListener[] listeners;

  /** Guards {@code listeners}, called in order. */
  public GuardedListener(List<LimitListener> listeners) {
    this.listeners = listeners.toArray(new LimitListener[0]);
  }

  /** {@return whether there are no listeners to call} */
  public boolean isEmpty() {
    return listeners.length == 0;
  }

  @Override
  public void onAllowed(LimitPolicy policy, LimitRequest request, Decision decision) {
    for (LimitListener l : listeners) {
      try {
        l.onAllowed(policy, request, decision);
      } catch (RuntimeException e) {
        log(l, "onAllowed", e);
      }
    }
  }

  @Override
  public void onDenied(LimitPolicy policy, LimitRequest request, Decision decision) {
    for (LimitListener l : listeners) {
      try {
        l.onDenied(policy, request, decision);
      } catch (RuntimeException e) {
        log(l, "onDenied", e);
      }
    }
  }

  @Override
  public void onWarning(LimitPolicy policy, LimitRequest request, Warning warning) {
    for (LimitListener l : listeners) {
      try {
        l.onWarning(policy, request, warning);
      } catch (RuntimeException e) {
        log(l, "onWarning", e);
      }
    }
  }

  @Override
  public void onCommitted(LimitPolicy policy, LimitRequest request, Amounts actual) {
    for (LimitListener l : listeners) {
      try {
        l.onCommitted(policy, request, actual);
      } catch (RuntimeException e) {
        log(l, "onCommitted", e);
      }
    }
  }

  private static void log(LimitListener listener, String method, RuntimeException e) {
    LOG.warn("listener {} failed in {}; enforcement goes on", listener.getClass().getName(), method, e);
  }
}
