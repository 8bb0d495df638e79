package dev.limits;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;

/**
 * The dependency rules of limits-core. The SPI ({@code dev.limits.spi}) is the floor: it uses neither the
 * API (but for its root exception) nor internal code, which both build on it. The API ({@code dev.limits})
 * may use internal helpers and internal code may use both; what must not happen is checked here. That no other module uses
 * {@code dev.limits.internal} is {@code dev.limits.testkit.LimitsArchitecture#NO_CORE_INTERNALS}, which every
 * other module's tests can apply to their own classes.
 */
@AnalyzeClasses(packages = "dev.limits", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noJdbc = noClasses().should().dependOnClassesThat().resideInAnyPackage("java.sql..",
      "javax.sql..").because("storage with SQL belongs in limits-jdbc; the core runs without java.sql");

  @ArchTest
  static final ArchRule onlyJdkSlf4jAndJspecify = classes().should().onlyDependOnClassesThat()
      .resideInAnyPackage("java..", "org.slf4j", "org.jspecify.annotations", "dev.limits", "dev.limits.spi",
          "dev.limits.internal")
      .because("limits-core depends on slf4j-api only at run time");

  @ArchTest
  static final ArchRule noOtherModulesInternals = noClasses().should().dependOnClassesThat()
      .resideInAPackage("dev.limits.*.internal..")
      .because("another module's internal package is not part of its API");

  @ArchTest
  static final ArchRule spiNeedsOnlyTheRootException = noClasses().that().resideInAPackage("dev.limits.spi")
      .should().dependOnClassesThat(resideInAPackage("dev.limits").and(not(equivalentTo(LimitsException.class))))
      .because("a storage backend implements the SPI without knowing policies, windows or the limiter");

  @ArchTest
  static final ArchRule spiStandsAlone = noClasses().that().resideInAPackage("dev.limits.spi")
      .should().dependOnClassesThat().resideInAPackage("dev.limits.internal..")
      .because("a storage backend implements the SPI alone; the stores and helpers that come with the core "
          + "build on it, not under it");

  @ArchTest
  static final ArchRule timeOnlyFromPeriodClock = noClasses().that().doNotBelongToAnyOf(PeriodClock.class)
      .should().callMethod(System.class, "currentTimeMillis")
      .orShould().callMethod(System.class, "nanoTime")
      .orShould().callMethod(Instant.class, "now")
      .orShould().callMethod(LocalDate.class, "now")
      .orShould().callMethod(LocalDateTime.class, "now")
      .orShould().callMethod(ZonedDateTime.class, "now")
      .orShould().callMethod(Clock.class, "systemUTC")
      .orShould().callMethod(Clock.class, "systemDefaultZone")
      .because("time comes only from a PeriodClock, so tests can move it");
}
