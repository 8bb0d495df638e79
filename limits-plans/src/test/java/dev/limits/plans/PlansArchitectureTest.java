package dev.limits.plans;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.limits.testkit.LimitsArchitecture;

/** The plans layer builds on the core's API only, never on its internals. */
@AnalyzeClasses(packages = "dev.limits.plans", importOptions = ImportOption.DoNotIncludeTests.class)
class PlansArchitectureTest {

  @ArchTest
  static final ArchRule noCoreInternals = LimitsArchitecture.NO_CORE_INTERNALS;
}
