package dev.limits.testkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.lang.ArchRule;

/**
 * ArchUnit rules that every module of limits, and any project built on it, can apply to its own classes.
 *
 * <pre>{@code
 * @AnalyzeClasses(packages = "dev.limits.jdbc")
 * class ArchitectureTest {
 *   @ArchTest
 *   static final ArchRule noCoreInternals = LimitsArchitecture.NO_CORE_INTERNALS;
 * }
 * }</pre>
 *
 * <p>Needs {@code com.tngtech.archunit:archunit-junit5} (or {@code archunit}) on the test class path; the
 * testkit does not bring it.
 */
public final class LimitsArchitecture {

  /**
   * Nothing outside limits-core's packages ({@code dev.limits}, {@code dev.limits.spi},
   * {@code dev.limits.internal}) uses {@code dev.limits.internal}. On the module path the module system
   * refuses it anyway; this rule also holds code on the class path to it.
   */
  public static final ArchRule NO_CORE_INTERNALS = noClasses()
      .that().resideOutsideOfPackages("dev.limits", "dev.limits.spi", "dev.limits.internal")
      .should().dependOnClassesThat().resideInAPackage("dev.limits.internal..")
      .because("dev.limits.internal is not part of the API of limits-core and may change in any release");

  private LimitsArchitecture() {}
}
