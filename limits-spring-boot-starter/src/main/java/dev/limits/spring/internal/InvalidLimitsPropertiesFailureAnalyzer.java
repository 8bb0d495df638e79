package dev.limits.spring.internal;

import dev.limits.spring.InvalidLimitsPropertiesException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports bad {@code limits.*} properties at startup as a list of keys to fix, instead of a stack trace. */
public final class InvalidLimitsPropertiesFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidLimitsPropertiesException> {

  /** Creates the analyzer; Spring Boot does. */
  public InvalidLimitsPropertiesFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidLimitsPropertiesException cause) {
    return new FailureAnalysis(cause.getMessage(),
        "Fix each limits.* key listed above in application.yml (or wherever it is set) and start again.", cause);
  }
}
