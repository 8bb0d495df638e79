package dev.limits.examples;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.limits.testkit.LimitsArchitecture;

/**
 * The examples run on the class path, where the module system does not keep them from internals: they use the
 * API of limits-core and limits-plans only, as a backend built from them should.
 */
@AnalyzeClasses(packages = "dev.limits.examples", importOptions = ImportOption.DoNotIncludeTests.class)
class ExamplesArchitectureTest {

  @ArchTest
  static final ArchRule noCoreInternals = LimitsArchitecture.NO_CORE_INTERNALS;

  @ArchTest
  static final ArchRule noPlansInternals = LimitsArchitecture.NO_PLANS_INTERNALS;
}
