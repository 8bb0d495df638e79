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

  /**
   * Nothing outside limits-plans' packages ({@code dev.limits.plans}, {@code dev.limits.plans.internal}) uses
   * {@code dev.limits.plans.internal}: a plan is read, compiled and checked through the API ({@code Plan},
   * {@code AiGate}) only. On the module path the module system refuses it anyway; this rule also holds code on
   * the class path to it.
   */
  public static final ArchRule NO_PLANS_INTERNALS = noClasses()
      .that().resideOutsideOfPackages("dev.limits.plans", "dev.limits.plans.internal")
      .should().dependOnClassesThat().resideInAPackage("dev.limits.plans.internal..")
      .because("dev.limits.plans.internal is not part of the API of limits-plans and may change in any release");

  private LimitsArchitecture() {}
}
