/**
 * limits-testkit: AssertJ assertions for decisions, for tests of applications and storage backends.
 *
 * <p>Its public types extend AssertJ's and will carry JUnit 5 annotations, so a test module that requires
 * this one reads limits-core, AssertJ and the JUnit Jupiter API too.
 */
module dev.limits.testkit {
  requires transitive dev.limits.core;
  requires transitive org.junit.jupiter.api;
  requires transitive org.assertj.core;
  requires static org.jspecify;
  requires static com.tngtech.archunit;

  exports dev.limits.testkit;
}
