package dev.limits.spring;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.limits.testkit.LimitsArchitecture;

/** The starter uses limits-core's API and SPI only, never {@code dev.limits.internal}. */
@AnalyzeClasses(packages = "dev.limits.spring", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noCoreInternals = LimitsArchitecture.NO_CORE_INTERNALS;
}
